package dev.veil.console;

import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sign-ins, held in this process only: the cookie carries 256 random bits and nothing else, so there
 * is nothing to sign, forge or decrypt, and a restart signs everybody out (as a per-start signing key would). A
 * sign-in ends after veil.console.idle-timeout without a request, or at sign-out.
 */
@ApplicationScoped
public class ConsoleSessions {
    static final String COOKIE = "veil-console";
    static final String PATH = "/console";

    private final Map<String, ConsoleUser> byToken = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration idle;

    @Inject
    public ConsoleSessions(Clock clock, VeilConfig config) {
        this(clock, config.console().idleTimeout());
    }

    ConsoleSessions(Clock clock, Duration idle) {
        this.clock = clock;
        this.idle = idle;
    }

    /** Signs {@code who} in with the access their roles give; returns the cookie's value. */
    String open(Identity who, ConsoleAccess access, String via) {
        Instant now = clock.instant();
        byToken.values().removeIf(u -> expired(u, now));
        String token = token();
        byToken.put(token, new ConsoleUser(who.name(), who.roles(), access, via, token(), now));
        return token;
    }

    /** The user signed in with this cookie value, unless idle for too long (then the sign-in is gone). */
    Optional<ConsoleUser> find(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        ConsoleUser u = byToken.get(token);
        if (u == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(u, now)) {
            byToken.remove(token, u);
            return Optional.empty();
        }
        u.seen(now);
        return Optional.of(u);
    }

    void close(String token) {
        if (token != null) {
            byToken.remove(token);
        }
    }

    private boolean expired(ConsoleUser u, Instant now) {
        return !now.isBefore(u.lastSeen().plus(idle));
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
