package dev.veil.frontend.pg;

import dev.veil.audit.AuditEvent;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.policy.RowCeiling;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.session.StatementRecord;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Execute (extended protocol: pgjdbc's default) run under an enforced affected-rows ceiling ({@link RowCeiling}).
 * The client's Parse and Bind have reached the server and been answered; Veil's own commands go in the same batch as
 * extended-protocol messages (a Query would end the batch's implicit transaction and drop the client's unnamed
 * statement and portal), each as Parse / Bind / Execute / Close / Close of a statement and a portal named by Veil, so
 * the client's unnamed ones survive, and answered by five frames the client never sees:
 * <ul>
 * <li>inside the client's transaction: {@code SAVEPOINT}, the Execute, then {@code RELEASE} within the ceiling, or
 *     {@code ROLLBACK TO} and {@code RELEASE} over it;</li>
 * <li>outside one: {@code BEGIN} makes the batch's implicit transaction an explicit one, Veil's: over the ceiling
 *     {@code ROLLBACK} undoes the batch so far, as an error in it would; within, the transaction stays open for the
 *     rest of the batch (later counted Executes need no wrap: over, the whole is rolled back) and is committed after
 *     the batch's Sync ({@link PgBatchState}), keeping the batch atomic as without Veil.</li>
 * </ul>
 * The Execute's answer (RETURNING rows, CommandComplete) is held until its tag is counted; over the ceiling the
 * client gets 42501 in its place and the rest of the batch up to Sync is skipped, as the server would after an error.
 * An Execute that fails fails as it would without Veil.
 */
final class PgExecuteCeiling {
    static final String STATEMENT = "veil_ceiling";
    static final String PORTAL = "veil_ceiling";
    static final String SAVEPOINT = "veil_ceiling";
    /** Answers to one of Veil's commands: ParseComplete, BindComplete, CommandComplete, CloseComplete, CloseComplete. */
    private static final int ANSWERS_PER_COMMAND = 5;

    private enum Step { WAITING, OPENING, RUNNING, CLOSING, DONE }

    private enum Wrap { SAVEPOINT, BEGIN, VEILS_TRANSACTION }

    final PgFrame execute;
    /** The flow's portal the Execute runs. */
    final Object portal;
    final StatementRecord record;
    private final RowCeiling ceiling;
    private Step step = Step.WAITING;
    private Wrap wrap;
    private int owedAnswers;
    private final Buffer answer = Buffer.buffer();
    /** The statement's masking: the held answer is masked as the relay would have masked it (null: none). */
    private final PgResultMask mask;
    private boolean overflow;
    private boolean suspended;
    private String lastTag;
    private Long rows;
    private String sqlState;
    private ErrorResponse wrapError;
    private String refusal;
    /** Whether Veil's transaction is open once the run is over (BEGIN, and not rolled back). */
    private boolean veilsTransactionAfter;

    PgExecuteCeiling(PgFrame execute, Object portal, StatementRecord record, RowCeiling ceiling, PgResultMask mask) {
        this.mask = mask;
        this.execute = execute;
        this.portal = portal;
        this.record = record;
        this.ceiling = ceiling;
    }

    boolean started() {
        return step != Step.WAITING;
    }

    boolean over() {
        return step == Step.DONE;
    }

    /**
     * What goes upstream first, given the transaction status at this point of the batch: Veil's SAVEPOINT or BEGIN
     * (none inside Veil's own transaction) and the client's Execute. Null in a failed transaction: the server runs
     * nothing there, so the Execute goes as it is.
     */
    List<PgFrame> start(char status, boolean veilsTransaction) {
        if (status == ReadyForQuery.FAILED_TRANSACTION) {
            return null;
        }
        List<PgFrame> out = new ArrayList<>();
        wrap = veilsTransaction ? Wrap.VEILS_TRANSACTION : status == ReadyForQuery.IDLE ? Wrap.BEGIN : Wrap.SAVEPOINT;
        if (wrap == Wrap.VEILS_TRANSACTION) {
            step = Step.RUNNING;
            veilsTransactionAfter = true;
        } else {
            step = Step.OPENING;
            command(out, wrap == Wrap.BEGIN ? "BEGIN" : "SAVEPOINT " + SAVEPOINT);
            veilsTransactionAfter = wrap == Wrap.BEGIN;
        }
        record.forwarded();
        out.add(execute);
        out.add(flush());
        return out;
    }

    /** Whether the frame is kept from the client: all are while the run lasts (Veil's own, or held until counted). */
    boolean holds(PgFrame frame) {
        if (step == Step.RUNNING && !overflow) {
            if (answer.length() + frame.length() > PgCeilingRun.MAX_HELD_BYTES) {
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
        return step != Step.DONE;
    }

    /** Follows a server frame (after {@link #holds}): Veil's commands to send next, an empty list while more is due. */
    List<PgFrame> onServerFrame(PgFrame frame) {
        List<PgFrame> out = new ArrayList<>();
        char t = frame.typeChar();
        if (step == Step.RUNNING) {
            switch (t) {
                case 'C' -> {
                    lastTag = CommandTags.of(frame);
                    rows = CommandTags.rows(lastTag);
                    close(out);
                    if (!out.isEmpty()) {
                        out.add(flush());
                    }
                }
                case 'E' -> {
                    // The statement failed: relayed as it failed; the server skips the rest of the batch.
                    sqlState = ErrorResponse.decode(frame).sqlState();
                    record.completed(AuditEvent.Outcome.ERROR, null, null, sqlState);
                    step = Step.DONE;
                }
                case 'I' -> {
                    close(out); // EmptyQueryResponse: no row count
                    if (!out.isEmpty()) {
                        out.add(flush());
                    }
                }
                case 's' -> {
                    // A row limit (pgjdbc sends 1 for executeUpdate) cut the RETURNING rows: the count would come only
                    // with the last part, after the first ones reached the client.
                    suspended = true;
                    close(out);
                    if (!out.isEmpty()) {
                        out.add(flush());
                    }
                }
                default -> { }
            }
            return out;
        }
        if (t == 'E') {
            if (wrapError == null) {
                wrapError = ErrorResponse.decode(frame);
            }
            // The server skips everything up to the client's Sync: Veil's later messages and the Execute included.
            if (step == Step.OPENING) {
                String why = "the server refused to open a savepoint for it: " + wrapError.message();
                refusal = ceiling.uncounted(why);
                veilsTransactionAfter = false;
                record.completed(AuditEvent.Outcome.REFUSED, null, null, ErrorCode.POLICY_DENIED.sqlState(), null, ceiling, why);
            }
            step = Step.DONE;
            return out;
        }
        if (t == '1' || t == '2' || t == '3' || t == 'C') {
            owedAnswers--;
            if (owedAnswers == 0) {
                step = step == Step.OPENING ? Step.RUNNING : Step.DONE;
            }
        }
        return out;
    }

    /** The statement's answer is complete: records it and says Veil's commands that end the wrap. */
    private void close(List<PgFrame> out) {
        String uncounted = suspended ? "it was executed with a row limit, and its RETURNING rows would come in parts "
                + "before the count; execute it without one (pgjdbc: executeQuery, no setMaxRows / setFetchSize)"
                : overflow ? "its answer is larger than the " + PgCeilingRun.MAX_HELD_BYTES + " bytes Veil holds "
                + "while it counts; return fewer rows (RETURNING)"
                : rows == null || !CommandTags.counting(lastTag) ? "the server reported no row count for it" : null;
        if (uncounted == null && !ceiling.over(rows)) {
            record.completed(AuditEvent.Outcome.OK, lastTag, rows, null, null, ceiling, null);
            if (wrap == Wrap.SAVEPOINT) {
                command(out, "RELEASE SAVEPOINT " + SAVEPOINT);
            }
        } else {
            refusal = uncounted == null ? ceiling.refusal(rows) : ceiling.uncounted(uncounted);
            record.completed(AuditEvent.Outcome.REFUSED, lastTag, uncounted == null ? rows : null,
                    ErrorCode.POLICY_DENIED.sqlState(), null, ceiling, uncounted);
            if (wrap == Wrap.SAVEPOINT) {
                // Undone, the client's transaction is as it was before the statement.
                command(out, "ROLLBACK TO SAVEPOINT " + SAVEPOINT);
                command(out, "RELEASE SAVEPOINT " + SAVEPOINT);
            } else {
                // Veil's transaction holds the batch so far: undone whole, as an error in the batch would undo it.
                command(out, "ROLLBACK");
                veilsTransactionAfter = false;
            }
        }
        step = out.isEmpty() ? Step.DONE : Step.CLOSING;
    }

    /** Refused over the ceiling or uncounted: what the client is told in place of the answer; null otherwise. */
    VeilException refusal() {
        return refusal == null ? null : VeilException.error(ErrorCode.POLICY_DENIED, refusal);
    }

    /** The client's answer once the run is over (nothing when refused): the held frames, or an error of Veil's wrap. */
    Buffer answer() {
        if (refusal != null) {
            return Buffer.buffer();
        }
        return wrapError == null ? answer : answer.copy().appendBuffer(wrapError.encode());
    }

    /** The batch failed on the server (the Execute or one of Veil's commands): it skips the rest up to Sync. */
    boolean batchFailed() {
        return sqlState != null || wrapError != null;
    }

    /** Tells the batch whether Veil's transaction is open now (opened by this run's BEGIN, or ended by its ROLLBACK). */
    void veilsTransaction(PgBatchState batch) {
        if (wrap != Wrap.SAVEPOINT) {
            batch.veilsTransaction(veilsTransactionAfter);
        }
    }

    /** Appends Veil's command {@code sql} as Parse / Bind / Execute / Close portal / Close statement. */
    private void command(List<PgFrame> out, String sql) {
        owedAnswers += ANSWERS_PER_COMMAND;
        out.add(frame('P', Buffer.buffer().appendBuffer(cstring(STATEMENT)).appendBuffer(cstring(sql)).appendShort((short) 0)));
        out.add(frame('B', Buffer.buffer().appendBuffer(cstring(PORTAL)).appendBuffer(cstring(STATEMENT))
                .appendShort((short) 0).appendShort((short) 0).appendShort((short) 0)));
        out.add(frame('E', Buffer.buffer().appendBuffer(cstring(PORTAL)).appendInt(0)));
        out.add(frame('C', Buffer.buffer().appendByte((byte) 'P').appendBuffer(cstring(PORTAL))));
        out.add(frame('C', Buffer.buffer().appendByte((byte) 'S').appendBuffer(cstring(STATEMENT))));
    }

    /**
     * Flush: the server keeps its answers to extended-protocol messages until a Sync or a Flush, and the client's
     * Sync waits behind the counted Execute; Veil asks for them without ending the batch.
     */
    static PgFrame flush() {
        return frame('H', Buffer.buffer());
    }

    private static Buffer cstring(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }

    private static PgFrame frame(char type, Buffer body) {
        return PgFrame.of(Buffer.buffer(PgFrame.HEADER + body.length()).appendByte((byte) type).appendInt(4 + body.length())
                .appendBuffer(body));
    }
}
