package dev.veil.frontend.pg;

import dev.veil.audit.AuditEvent;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.policy.RowCeiling;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.session.StatementRecord;
import io.vertx.core.buffer.Buffer;

/**
 * One simple query run under an enforced affected-rows ceiling ({@link RowCeiling}): Veil opens a savepoint
 * (inside the client's transaction) or a transaction of its own (in autocommit), runs the statement, holds its
 * answer and reads the row count of its CommandComplete tag, then releases the savepoint / commits when the
 * count is within the ceiling and the answer goes out, or rolls back to it / rolls back and refuses. Veil's own
 * commands are simple queries whose answers never reach the client. The flow starts it once the server owes
 * nothing for what was sent before (so the transaction status is the statement's), holds the client's next
 * messages meanwhile, and hands it every server frame until it is over.
 *
 * <p>A statement that fails inside the client's transaction leaves that transaction aborted, as it would
 * without Veil: the savepoint stays in it (the client's ROLLBACK ends it with the rest).
 */
final class PgCeilingRun {
    /** The name of Veil's savepoint; a client's savepoint of the same name is shadowed only meanwhile. */
    static final String SAVEPOINT = "veil_rows_ceiling";
    /** The most answer bytes (RETURNING rows) held while counting; beyond, the statement is rolled back and refused. */
    static final int MAX_HELD_BYTES = 1 << 20;

    private enum Step { WAITING, OPENING, RUNNING, CLOSING }

    /**
     * What the flow does next: send {@code send} upstream (Veil's command, or the client's statement), or, when it
     * is null, send {@code answer} to the client (it ends with ReadyForQuery {@code status}): the run is over.
     */
    record Next(PgFrame send, Buffer answer, char status) {
    }

    final PgFrame query;
    final StatementRecord record;
    private final RowCeiling ceiling;
    /** The statement's masking: the held answer is masked as the relay would have masked it (null: none). */
    private final PgResultMask mask;
    /** The client had no transaction open: Veil's BEGIN / COMMIT, instead of a savepoint. */
    private boolean autocommit;
    private Step step = Step.WAITING;
    /** The client's answer so far, without its ReadyForQuery (Veil sends its own, with the status after closing). */
    private final Buffer answer = Buffer.buffer();
    private boolean overflow;
    private String lastTag;
    private Long rows;
    private String sqlState;
    /** The first error one of Veil's own commands got. */
    private ErrorResponse wrapError;
    /** Set when the statement is refused: what the client is told instead of its answer. */
    private String refusal;

    PgCeilingRun(PgFrame query, StatementRecord record, RowCeiling ceiling, PgResultMask mask) {
        this.query = query;
        this.record = record;
        this.ceiling = ceiling;
        this.mask = mask;
    }

    boolean started() {
        return step != Step.WAITING;
    }

    /**
     * Opens the savepoint, or Veil's transaction when the client has none ({@code status} idle). In a failed
     * transaction the server runs nothing: the statement goes as it is, and fails there.
     */
    Next start(char status) {
        autocommit = status == ReadyForQuery.IDLE;
        if (status == ReadyForQuery.FAILED_TRANSACTION) {
            step = Step.RUNNING;
            record.forwarded();
            return new Next(query, null, status);
        }
        step = Step.OPENING;
        return command(autocommit ? "BEGIN" : "SAVEPOINT " + SAVEPOINT);
    }

    /** Whether the frame is kept from the client: all are (Veil's own answers, or held until the count is known). */
    boolean holds(PgFrame frame) {
        if (step == Step.RUNNING && frame.type() != ReadyForQuery.TYPE && !overflow) {
            if (answer.length() + frame.length() > MAX_HELD_BYTES) {
                overflow = true;
            } else {
                Buffer masked = mask == null ? null : mask.rewrite(frame);
                if (masked == null) {
                    answer.appendBuffer(frame.source(), frame.start(), frame.length());
                } else {
                    answer.appendBuffer(masked);
                }
            }
        }
        return true;
    }

    /** Follows a server frame (after {@link #holds}); what to do next, or null while more frames are due. */
    Next onServerFrame(PgFrame frame) {
        switch (frame.typeChar()) {
            case 'E' -> {
                if (step == Step.RUNNING) {
                    sqlState = sqlState == null ? ErrorResponse.decode(frame).sqlState() : sqlState;
                } else if (wrapError == null) {
                    wrapError = ErrorResponse.decode(frame);
                }
            }
            case 'C' -> {
                if (step == Step.RUNNING) {
                    String tag = CommandTags.of(frame);
                    lastTag = tag;
                    Long n = CommandTags.rows(tag);
                    rows = n == null ? rows : n;
                }
            }
            case 'Z' -> {
                return ready(ReadyForQuery.statusOf(frame));
            }
            default -> { }
        }
        return null;
    }

    private Next ready(char status) {
        switch (step) {
            case OPENING -> {
                if (wrapError == null) {
                    step = Step.RUNNING;
                    record.forwarded();
                    return new Next(query, null, status);
                }
                String why = "the server refused to open a savepoint for it: " + wrapError.message();
                refusal = ceiling.uncounted(why);
                wrapError = null;
                record.completed(AuditEvent.Outcome.REFUSED, null, null, ErrorCode.POLICY_DENIED.sqlState(), null, ceiling, why);
                return answer(status);
            }
            case RUNNING -> {
                step = Step.CLOSING;
                String close = answered();
                return close == null ? answer(status) : command(close);
            }
            default -> {
                return answer(status);
            }
        }
    }

    /** Records the statement and says Veil's command that ends the wrap; null when none is due (it failed in a transaction). */
    private String answered() {
        if (sqlState != null) {
            record.completed(AuditEvent.Outcome.ERROR, lastTag, rows, sqlState);
            return autocommit ? "ROLLBACK" : null;
        }
        String uncounted = overflow ? "its answer is larger than the " + MAX_HELD_BYTES + " bytes Veil holds while it "
                + "counts; return fewer rows (RETURNING)"
                : rows == null || !CommandTags.counting(lastTag) ? "the server reported no row count for it" : null;
        if (uncounted == null && !ceiling.over(rows)) {
            record.completed(AuditEvent.Outcome.OK, lastTag, rows, null, null, ceiling, null);
            return autocommit ? "COMMIT" : "RELEASE SAVEPOINT " + SAVEPOINT;
        }
        refusal = uncounted == null ? ceiling.refusal(rows) : ceiling.uncounted(uncounted);
        record.completed(AuditEvent.Outcome.REFUSED, lastTag, uncounted == null ? rows : null,
                ErrorCode.POLICY_DENIED.sqlState(), null, ceiling, uncounted);
        // Undone, the client's transaction is as it was before the statement.
        return autocommit ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT;
    }

    /**
     * What the client gets once Veil's last command is answered: the refusal, or the statement's answer (and the
     * error of a COMMIT that failed: a deferred constraint, a serialization failure), then ReadyForQuery with
     * the transaction's status now.
     */
    private Next answer(char status) {
        Buffer out = Buffer.buffer();
        if (refusal != null) {
            out.appendBuffer(ErrorResponse.of(VeilException.error(ErrorCode.POLICY_DENIED, refusal)).encode());
        } else {
            out.appendBuffer(answer);
            if (wrapError != null) {
                out.appendBuffer(wrapError.encode());
            }
        }
        return new Next(null, out.appendBuffer(new ReadyForQuery(status).encode()), status);
    }

    private static Next command(String sql) {
        return new Next(PgFrame.of(new FrontendMessage.Query(sql).encode()), null, ReadyForQuery.IDLE);
    }
}
