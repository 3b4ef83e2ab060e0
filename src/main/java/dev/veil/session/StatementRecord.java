package dev.veil.session;

import dev.veil.audit.AuditEvent;
import dev.veil.policy.RowCeiling;
import io.vertx.core.Future;

import java.util.List;

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
        completed(outcome, commandTag, rows, sqlState, errno, null, null);
    }

    /**
     * As above, with the decision an affected-rows ceiling took on the rows counted ({@code rows}): its verdict,
     * rule and reason, under the policy version of the statement's decision. {@code rows} null: they could not be
     * counted, for the reason {@code uncounted}.
     */
    public void completed(AuditEvent.Outcome outcome, String commandTag, Long rows, String sqlState, Integer errno,
                          RowCeiling ceiling, String uncounted) {
        if (done) {
            return;
        }
        done = true;
        long now = System.nanoTime();
        long veil = (forwardedNanos < 0 ? now : forwardedNanos) - arrivedNanos;
        long upstream = forwardedNanos < 0 ? -1 : now - forwardedNanos;
        audit.completed(this, outcome, commandTag, rows, sqlState, errno, veil, upstream, ceilingDecision(ceiling, rows, outcome, uncounted));
    }

    /**
     * A ceiling's decision as recorded: allow (within) or deny (over, or not counted); in observe mode an allow
     * with what it would have done as an observation.
     */
    private AuditEvent.Decision ceilingDecision(RowCeiling ceiling, Long rows, AuditEvent.Outcome outcome, String uncounted) {
        if (ceiling == null) {
            return null;
        }
        String version = decision.decision() == null ? null : decision.decision().policyVersion();
        boolean over = rows == null || ceiling.over(rows);
        String reason = rows == null ? ceiling.uncounted(uncounted == null ? "the server reported no row count" : uncounted)
                : over ? ceiling.refusal(rows) : ceiling.within(rows);
        if (ceiling.observe()) {
            List<AuditEvent.Observation> seen = over ? List.of(new AuditEvent.Observation(ceiling.rule(),
                    AuditEvent.Observation.OBSERVE, AuditEvent.Verdict.DENY, reason)) : List.of();
            return new AuditEvent.Decision(AuditEvent.Verdict.ALLOW, ceiling.rule(), over ? null : reason, version, seen);
        }
        boolean refused = outcome == AuditEvent.Outcome.REFUSED;
        return new AuditEvent.Decision(refused ? AuditEvent.Verdict.DENY : AuditEvent.Verdict.ALLOW, ceiling.rule(), reason,
                version, List.of());
    }

    /**
     * The statement did not run: {@code after} says why (a denied or timed-out approval, a cancelled wait), with
     * the error the client got.
     */
    public void refused(String sqlState, Integer errno, AuditEvent.Decision after) {
        if (done) {
            return;
        }
        done = true;
        long veil = System.nanoTime() - arrivedNanos;
        audit.completed(this, AuditEvent.Outcome.REFUSED, null, null, sqlState, errno, veil, -1, after);
    }

    public boolean isDone() {
        return done;
    }
}
