package dev.veil.frontend.pg;

import dev.veil.policy.RowCeiling;
import dev.veil.session.Statement;
import dev.veil.session.StatementRecord;
import io.vertx.core.buffer.Buffer;

/** One answer the server (or Veil, for REPLY) still owes a PostgreSQL client, in order; kept by {@link PgStatementFlow}. */
final class PgOwed {
    /** VEIL: the answers to Veil's own messages sent before a statement (a masked COPY's Describe), never relayed. */
    enum Kind { QUERY, EXECUTE, SYNC, REPLY, VEIL }

    final Kind kind;
    final StatementRecord ticket;
    final Portal portal;
    final Buffer reply;
    /** For a Sync after a refused Execute: the refusal, sent just before the Sync's ReadyForQuery. */
    Buffer errorBeforeReady;
    /** An affected-rows ceiling in observe mode: the rows are compared with it when the statement completes. */
    RowCeiling observed;
    long tagRows;
    boolean anyTagRows;
    String lastTag;
    String sqlState;
    /** What the answer goes through on its way to the client (null: as the server sent it). */
    PgResultMask mask;

    PgOwed(Kind kind, StatementRecord ticket, Portal portal, Buffer reply) {
        this.kind = kind;
        this.ticket = ticket;
        this.portal = portal;
        this.reply = reply;
    }

    /** A portal the client bound: its statement, its record once its first Execute is decided, its columns and mask. */
    static final class Portal {
        final Statement statement;
        StatementRecord ticket;
        PgResultColumns.Portal columns;
        /** The mask of the portal's answer, kept for the Executes that fetch the rest of a suspended portal. */
        PgResultMask mask;

        Portal(Statement statement) {
            this.statement = statement;
        }
    }
}
