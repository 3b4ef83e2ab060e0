package dev.veil.frontend.pg;

import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.policy.RowCeiling;
import dev.veil.session.StatementRecord;
import io.vertx.core.buffer.Buffer;

/**
 * One simple query run under an enforced affected-rows ceiling ({@link RowCeiling}): Veil opens a savepoint
 * (inside the client's transaction) or a transaction of its own (in autocommit), runs the statement, holds its
 * answer and reads the row count of its CommandComplete tag, then releases the savepoint / commits when the
 * count is within the ceiling and the answer goes out, or rolls back to it / rolls back and refuses. Veil's own
 * commands are simple queries whose answers never reach the client; the client's next messages wait meanwhile.
 *
 * <p>A statement that fails inside the client's transaction leaves that transaction aborted, as it would
 * without Veil: the savepoint is left where it is (the client's ROLLBACK ends it with the rest).
 */
final class PgCeilingRun {
    /** The name of Veil's savepoint; a client's savepoint of the same name would be shadowed only meanwhile. */
    static final String SAVEPOINT = "veil_rows_ceiling";
    /** The most answer bytes (RETURNING rows) held while counting; beyond, the statement is rolled back and refused. */
    static final int MAX_HELD_BYTES = 1 << 20;

    enum Step { OPENING, RUNNING, CLOSING }

    final PgFrame query;
    final StatementRecord record;
    final RowCeiling ceiling;
    /** The client had no transaction open: Veil's BEGIN / COMMIT, instead of a savepoint. */
    final boolean autocommit;
    Step step = Step.OPENING;
    /** The client's answer so far, without its ReadyForQuery (Veil sends its own, with the status after closing). */
    private final Buffer answer = Buffer.buffer();
    private boolean overflow;
    /** The first error one of Veil's own commands got. */
    ErrorResponse wrapError;
    /** Set when the statement is refused after it ran: what the client is told instead of its answer. */
    String refusal;

    PgCeilingRun(PgFrame query, StatementRecord record, RowCeiling ceiling, boolean autocommit) {
        this.query = query;
        this.record = record;
        this.ceiling = ceiling;
        this.autocommit = autocommit;
    }

    String open() {
        return autocommit ? "BEGIN" : "SAVEPOINT " + SAVEPOINT;
    }

    /** Veil's command that keeps the statement's changes. */
    String keep() {
        return autocommit ? "COMMIT" : "RELEASE SAVEPOINT " + SAVEPOINT;
    }

    /** Veil's command that undoes them, leaving the client's transaction as it was before the statement. */
    String undo() {
        return autocommit ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT;
    }

    /** Holds a frame of the statement's answer (bounded: past the bound, only that it overflowed is kept). */
    void hold(PgFrame frame) {
        if (overflow) {
            return;
        }
        if (answer.length() + frame.length() > MAX_HELD_BYTES) {
            overflow = true;
            return;
        }
        answer.appendBuffer(frame.source(), frame.start(), frame.length());
    }

    boolean overflowed() {
        return overflow;
    }

    Buffer answer() {
        return answer;
    }

    /** Whether a CommandComplete tag is one that reports the rows an UPDATE / DELETE / MERGE changed. */
    static boolean countingTag(String tag) {
        return tag != null && (tag.startsWith("UPDATE ") || tag.startsWith("DELETE ") || tag.startsWith("MERGE "));
    }
}
