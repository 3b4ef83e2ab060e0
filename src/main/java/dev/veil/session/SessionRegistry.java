package dev.veil.session;

import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.Optional;

/**
 * Live sessions by id and by the cancel key Veil gave their clients. Clients never see upstream process ids or
 * secrets: a CancelRequest quotes Veil's key, and Veil forwards the server's own key to the right server.
 */
@ApplicationScoped
public class SessionRegistry {
    /** The (process id, secret) pair a client quotes in a CancelRequest. */
    public record CancelKey(int processId, int secretKey) {
    }

    private final Map<CancelKey, Session> byKey = new ConcurrentHashMap<>();
    private final Map<Long, Session> byId = new ConcurrentHashMap<>();
    private final Map<Long, CancelKey> keys = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();

    public long nextSessionId() {
        return ids.incrementAndGet();
    }

    /**
     * Registers a live session under its id (MySQL clients quote the connection id Veil gave them in its
     * handshake: KILL QUERY / KILL CONNECTION) and under a cancel key (PostgreSQL clients quote the key of
     * their BackendKeyData in a CancelRequest). The key's process id is the one given (the server's own, so
     * that pg_terminate_backend and drivers see the real backend); its secret is Veil's, fresh and random,
     * and the pair is unique among live sessions.
     */
    public CancelKey register(Session session, int processId) {
        while (true) {
            CancelKey key = new CancelKey(processId, random.nextInt());
            if (byKey.putIfAbsent(key, session) == null) {
                open.incrementAndGet();
                byId.put(session.id(), session);
                keys.put(session.id(), key);
                return key;
            }
        }
    }

    public void unregister(Session session) {
        CancelKey key = session == null ? null : keys.remove(session.id());
        if (key != null && byKey.remove(key, session)) {
            open.decrementAndGet();
            byId.remove(session.id(), session);
        }
    }

    /** Cancels the statement of the session holding this key; unknown keys are ignored, as the server does. */
    public boolean cancel(int processId, int secretKey) {
        Session s = byKey.get(new CancelKey(processId, secretKey));
        if (s == null) {
            return false;
        }
        s.cancel();
        return true;
    }

    public Optional<Session> find(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** A snapshot of the live sessions. */
    public List<Session> sessions() {
        return List.copyOf(byId.values());
    }

    public int openSessions() {
        return open.get();
    }
}
