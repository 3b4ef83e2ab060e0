package dev.veil.session;

import dev.veil.audit.AuditEvent;
import io.vertx.core.Future;

/**
 * One recorded statement on its way: created when its decision is stored, told when it goes upstream and
 * when it ends. Times are split into Veil's part (arrival to forwarding) and the upstream's (forwarding
 * to completion). Confined to the session's event loop.
 */
public final class StatementRecord {
    private final SessionAudit audit;
    private final AuditEvent.StatementDecided decision;
    private final long arrivedNanos;
    private long forwardedNanos = -1;
    private Future<Void> durable = Future.succeededFuture();
    private long dataRows;
    private boolean done;

    StatementRecord(SessionAudit audit, AuditEvent.StatementDecided decision, long arrivedNanos) {
        this.audit = audit;
        this.decision = decision;
        this.arrivedNanos = arrivedNanos;
    }

    /**
     * Completes (on the session's loop) once the decision record is durable; the statement's answer must not
     * reach the client before. Already complete unless the statement went upstream ahead of the fsync (a read
     * with veil.audit.reads-durable-before=reply). Fails with the error to end the session with when the
     * record cannot be made durable and Veil fails closed.
     */
    public Future<Void> durable() {
        return durable;
    }

    void durable(Future<Void> f) {
        durable = f;
    }

    public long statementId() {
        return decision.statementId();
    }

    public AuditEvent.StatementDecided decision() {
        return decision;
    }

    /** The statement was handed to the upstream now. */
    public void forwarded() {
        if (forwardedNanos < 0) {
            forwardedNanos = System.nanoTime();
        }
    }

    /** Counts result rows as they stream by (for results fetched in several parts). */
    public void rows(long n) {
        dataRows += n;
    }

    public long rowsSeen() {
        return dataRows;
    }

    /** The statement ended; {@code rows} null when its command reports none. Only the first call counts. */
    public void completed(AuditEvent.Outcome outcome, String commandTag, Long rows, String sqlState) {
        completed(outcome, commandTag, rows, sqlState, null);
    }

    /** As above, with the server's error number (MySQL errno) when it failed. */
    public void completed(AuditEvent.Outcome outcome, String commandTag, Long rows, String sqlState, Integer errno) {
        if (done) {
            return;
        }
        done = true;
        long now = System.nanoTime();
        long veil = (forwardedNanos < 0 ? now : forwardedNanos) - arrivedNanos;
        long upstream = forwardedNanos < 0 ? -1 : now - forwardedNanos;
        audit.completed(this, outcome, commandTag, rows, sqlState, errno, veil, upstream);
    }

    public boolean isDone() {
        return done;
    }
}
