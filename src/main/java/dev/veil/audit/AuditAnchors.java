package dev.veil.audit;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Which checkpoints' anchors reach Veil's log. An anchor (seq:hash) copied out of Veil's reach lets
 * {@code veil audit verify} detect a chain cut or rewritten before it; the newest one is worth the most. Under load
 * a checkpoint comes every checkpoint-every records, many a second, and one log line each cost about 5 % of
 * Veil's CPU (the console handler formats and writes every line) and buried the log. So the first checkpoint is
 * logged, then the newest one at most once per spacing (checkpoint-interval), and the newest one held back when
 * the writer stops.
 *
 * <p>{@link #add} is called by the appending threads; {@link #log} by the writer's background thread only, after
 * the checkpoints it finds are stored.
 */
final class AuditAnchors {
    private final ConcurrentLinkedQueue<AuditLine> appended = new ConcurrentLinkedQueue<>();
    private final long spacingNanos;
    private final Consumer<AuditLine> out;
    // Background thread only.
    private AuditLine held;
    private boolean loggedOnce;
    private long loggedAt;

    AuditAnchors(Duration spacing, Consumer<AuditLine> out) {
        this.spacingNanos = spacing.toNanos();
        this.out = out;
    }

    void add(AuditLine checkpoint) {
        appended.add(checkpoint);
    }

    /** Logs the newest checkpoint appended when the spacing allows it, or at once when {@code stopping}. */
    void log(long nowNanos, boolean stopping) {
        AuditLine l;
        while ((l = appended.poll()) != null) {
            held = l;
        }
        if (held != null && (stopping || !loggedOnce || nowNanos - loggedAt >= spacingNanos)) {
            out.accept(held);
            held = null;
            loggedOnce = true;
            loggedAt = nowNanos;
        }
    }
}
