package dev.veil.console;

import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The console's sign-ins. The cookie carries 256 random bits and nothing else, so there is nothing to sign, forge or
 * decrypt; the {@link SignInStore} keeps only their SHA-256: in the control-plane database, shared by every Veil
 * instance ({@link SharedSignIns}), or in this process when there is none ({@link LocalSignIns}). A sign-in ends
 * after veil.console.idle-timeout without a request, or at sign-out.
 */
@ApplicationScoped
public class ConsoleSessions {
    static final String COOKIE = "veil-console";
    static final String PATH = "/console";

    private final SecureRandom random = new SecureRandom();
    private final SignInStore store;
    private final Clock clock;
    private final Duration idle;

    @Inject
    public ConsoleSessions(Clock clock, VeilConfig config, SignInStore store) {
        this(clock, config.console().idleTimeout(), store);
    }

    ConsoleSessions(Clock clock, Duration idle) {
        this(clock, idle, new LocalSignIns());
    }

    ConsoleSessions(Clock clock, Duration idle, SignInStore store) {
        this.clock = clock;
        this.idle = idle;
        this.store = store;
    }

    /** Signs {@code who} in with the access their roles give; returns the cookie's value. */
    String open(Identity who, ConsoleAccess access, String via) {
        return open(who, access, via, null);
    }

    /** The same, keeping the provider's ID token (sealed) for a single sign-on's sign-out. */
    String open(Identity who, ConsoleAccess access, String via, String idToken) {
        Instant now = clock.instant();
        String token = token();
        ConsoleUser u = new ConsoleUser(who.name(), who.roles(), access, via, token());
        store.open(new SignIn(SealedIdToken.hash(token), u, SealedIdToken.seal(token, idToken, random), now, now));
        return token;
    }

    /**
     * The user signed in with this cookie value, unless it ended (sign-out on any instance, or idle too long).
     * Throws {@link SignInStore.SignInsUnavailable} when the store cannot answer.
     */
    Optional<ConsoleUser> find(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        return store.find(SealedIdToken.hash(token), clock.instant(), idle).map(SignIn::user);
    }

    /** Ends the sign-in everywhere; what it was (and its ID token, opened), if it had not ended already. */
    Optional<Ended> close(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        return store.close(SealedIdToken.hash(token), clock.instant())
                .map(s -> new Ended(s.user(), SealedIdToken.open(token, s.sealedIdToken())));
    }

    /** A sign-in that was just ended: who, and the ID token of a single sign-on (null after a local sign-in). */
    record Ended(ConsoleUser user, String idToken) {
    }

    /** The cookie: script cannot read it, and the browser sends it only with requests from the console's own pages. */
    static String cookie(String name, String value, String path, boolean https) {
        return name + "=" + value + "; Path=" + path + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "");
    }

    static String clear(String name, String path) {
        return name + "=; Path=" + path + "; Max-Age=0; HttpOnly; SameSite=Strict";
    }

    String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Compares a form's CSRF token with the expected one in constant time. */
    static boolean sameToken(String expected, String offered) {
        return expected != null && offered != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                offered.getBytes(StandardCharsets.UTF_8));
    }
}
