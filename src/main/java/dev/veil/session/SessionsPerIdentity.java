package dev.veil.session;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.identity.Identity;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sessions each identity holds, over both wires, capped by veil.identity.session.max-per-identity. A
 * connection claims its place as soon as it is logged in, before it leases a server connection, so an identity
 * at its limit costs the upstream nothing; it gives the place back when it closes. Identities are counted by
 * name (the name the audit trail records). Safe from any event loop.
 */
final class SessionsPerIdentity {
    private final int max;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();

    SessionsPerIdentity(int max) {
        this.max = max;
    }

    /**
     * Takes one of the identity's places; the returned action gives it back (running it again does nothing).
     *
     * @throws VeilException 53300 / MySQL 1203 when the identity already holds {@code max} sessions
     */
    Runnable claim(Identity identity) {
        String name = identity.name();
        boolean[] claimed = {false};
        open.compute(name, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= max) {
                return n;
            }
            claimed[0] = true;
            return count + 1;
        });
        if (!claimed[0]) {
            throw VeilException.fatal(ErrorCode.TOO_MANY_USER_CONNECTIONS, "too many connections for identity \"" + name
                    + "\": it already holds " + max + " sessions, the most Veil allows one identity"
                    + " (veil.identity.session.max-per-identity); close some of them, or raise the limit");
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(name, (k, n) -> n <= 1 ? null : n - 1);
            }
        };
    }

    /** Sessions the identity holds now (places claimed and not given back). */
    int of(String name) {
        return open.getOrDefault(name, 0);
    }
}
