package dev.veil.frontend.pg;

import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.ReadyForQuery;

/**
 * Ends the transaction Veil opened in place of a batch's implicit one ({@link PgExecuteCeiling}) once the batch's
 * Sync is answered: its ReadyForQuery (in transaction, or failed when a statement of the batch failed) is kept from
 * the client, Veil's COMMIT (or ROLLBACK) runs, and the client gets ReadyForQuery idle, as the implicit transaction
 * would have ended. An error of the COMMIT (a deferred constraint, a serialization failure) reaches the client, as
 * the failed commit of an implicit transaction would. What the client sends after the Sync waits meanwhile.
 */
final class PgVeilsCommit {
    private boolean ending;

    /** Whether {@code frame} is kept from the client; {@code syncAnswered}: it is the ReadyForQuery of the batch's Sync. */
    boolean holds(PgFrame frame, boolean syncAnswered) {
        if (ending) {
            return frame.type() != 'E';
        }
        return syncAnswered && frame.type() == ReadyForQuery.TYPE && ReadyForQuery.statusOf(frame) != ReadyForQuery.IDLE;
    }

    /** Veil's command once the Sync's ReadyForQuery was held; null otherwise. */
    PgFrame onSyncAnswered(char status) {
        if (status == ReadyForQuery.IDLE) {
            return null;
        }
        ending = true;
        String sql = status == ReadyForQuery.IN_TRANSACTION ? "COMMIT" : "ROLLBACK";
        return PgFrame.of(new FrontendMessage.Query(sql).encode());
    }

    boolean ending() {
        return ending;
    }
}
