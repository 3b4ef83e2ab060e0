package dev.veil.console;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sign-ins of this process only, when no control-plane database is configured: a restart signs everybody out,
 * and with several Veil instances a browser must stay on one. Last-seen moves with every request (it costs nothing).
 */
final class LocalSignIns implements SignInStore {
    private final Map<String, SignIn> byHash = new ConcurrentHashMap<>();

    @Override
    public void open(SignIn signIn) {
        byHash.values().removeIf(s -> s.lastSeen().isBefore(signIn.created().minus(Duration.ofDays(1))));
        byHash.put(key(signIn.tokenHash()), signIn);
    }

    @Override
    public Optional<SignIn> find(byte[] tokenHash, Instant now, Duration idle) {
        String key = key(tokenHash);
        SignIn s = byHash.get(key);
        if (s == null) {
            return Optional.empty();
        }
        if (!now.isBefore(s.lastSeen().plus(idle))) {
            byHash.remove(key, s);
            return Optional.empty();
        }
        SignIn seen = new SignIn(s.tokenHash(), s.user(), s.sealedIdToken(), s.created(), now);
        byHash.replace(key, s, seen);
        return Optional.of(seen);
    }

    @Override
    public Optional<SignIn> close(byte[] tokenHash, Instant now) {
        return Optional.ofNullable(byHash.remove(key(tokenHash)));
    }

    private static String key(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }
}
