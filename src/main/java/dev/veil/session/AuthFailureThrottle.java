package dev.veil.session;

import dev.veil.audit.AuditEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which failed authentications are recorded one by one. Failing a login costs a client next to
 * nothing and needs no account, so unthrottled records let anyone who reaches a listener fill the audit disk
 * (after which Veil refuses every statement, as it must). Each client address gets a window that starts at
 * its first failure: the first {@code perWindow} failures in it are recorded as they come, the rest are only
 * counted, and when the window ends one {@code auth.suppressed} record says how many there were. The
 * summary is written by {@link #closed} (called periodically) or, at the latest, just before the address's
 * next recorded failure.
 *
 * <p>At most {@link #MAX_SOURCES} addresses are tracked at once; failures from further addresses share one
 * window (its summary has no address), so spreading a flood over many addresses does not escape the limit
 * or grow this table without bound. Thread-safe: event loops report failures concurrently.
 */
final class AuthFailureThrottle {
    static final int MAX_SOURCES = 1024;
    /** The key of the window shared by the addresses beyond {@link #MAX_SOURCES}. */
    private static final String OTHERS = "";

    private static final class Window {
        final Instant start;
        int recorded;
        long suppressed;

        Window(Instant start) {
            this.start = start;
        }
    }

    private final int perWindow;
    private final Duration window;
    private final Map<String, Window> windows = new HashMap<>();

    AuthFailureThrottle(int perWindow, Duration window) {
        if (perWindow < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("veil.audit.auth-failures.per-source must be at least 1 and window positive (got "
                    + perWindow + " and " + window + ")");
        }
        this.perWindow = perWindow;
        this.window = window;
    }

    /**
     * What to record for this failure, in order: the summary of the address's window if that has ended, and
     * the failure itself unless its window has had its share. Empty when the failure is only counted.
     */
    synchronized List<AuditEvent> failed(AuditEvent.AuthenticationFailed failure) {
        Instant now = failure.time();
        List<AuditEvent> out = new ArrayList<>(2);
        String key = failure.clientAddress() == null ? OTHERS : failure.clientAddress();
        Window w = windows.get(key);
        if (w == null && windows.size() >= MAX_SOURCES) {
            out.addAll(closed(now));
            if (windows.size() >= MAX_SOURCES) {
                key = OTHERS;
            }
            w = windows.get(key);
        }
        if (w != null && ended(w, now)) {
            summary(key, w, now).ifPresent(out::add);
            windows.remove(key);
            w = null;
        }
        if (w == null) {
            w = new Window(now);
            windows.put(key, w);
        }
        if (w.recorded < perWindow) {
            w.recorded++;
            out.add(failure);
        } else {
            w.suppressed++;
        }
        return out;
    }

    /** Forgets the windows that have ended by {@code now}; returns the summaries of those that suppressed any. */
    synchronized List<AuditEvent> closed(Instant now) {
        List<AuditEvent> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Window> e = it.next();
            if (ended(e.getValue(), now)) {
                summary(e.getKey(), e.getValue(), now).ifPresent(out::add);
                it.remove();
            }
        }
        return out;
    }

    synchronized int tracked() {
        return windows.size();
    }

    private boolean ended(Window w, Instant now) {
        return !now.isBefore(w.start.plus(window));
    }

    /** Stamped {@code now}, when it is written: a time range search finds a record by its own time. */
    private Optional<AuditEvent> summary(String key, Window w, Instant now) {
        if (w.suppressed == 0) {
            return Optional.empty();
        }
        return Optional.of(new AuditEvent.AuthenticationFailuresSuppressed(now, OTHERS.equals(key) ? null : key,
                w.suppressed, w.start, w.start.plus(window)));
    }
}
