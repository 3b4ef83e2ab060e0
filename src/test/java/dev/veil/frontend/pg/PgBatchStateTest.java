package dev.veil.frontend.pg;

import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.ReadyForQuery;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a counted Execute waits for in its batch: the answers owed to Parse / Bind / Describe, and the status there. */
class PgBatchStateTest {
    private static PgFrame frame(char type, String body) {
        Buffer b = Buffer.buffer(body);
        return PgFrame.of(Buffer.buffer().appendByte((byte) type).appendInt(4 + b.length()).appendBuffer(b));
    }

    private static final PgFrame PARSE = frame('P', "\0UPDATE t SET v = 1\0\0\0");
    private static final PgFrame BIND = frame('B', "\0\0\0\0\0\0\0\0");
    private static final PgFrame DESCRIBE_STATEMENT = frame('D', "S\0");
    private static final PgFrame SYNC = frame('S', "");

    @Test
    void anExecuteWaitsUntilTheClientsParseBindAndDescribeAreAnswered() {
        PgBatchState batch = new PgBatchState();
        batch.sent(PARSE);
        batch.sent(BIND);
        batch.sent(DESCRIBE_STATEMENT);
        assertThat(batch.settled()).isFalse();
        for (char answer : new char[] {'1', '2', 't'}) {
            batch.received(frame(answer, ""), true);
            assertThat(batch.settled()).as("after " + answer).isFalse();
        }
        batch.received(frame('n', ""), true);
        assertThat(batch.settled()).isTrue();
    }

    @Test
    void answersOfAnEarlierBatchAreNotTakenForTheCurrentOnes() {
        PgBatchState batch = new PgBatchState();
        batch.sent(PARSE);
        batch.sent(SYNC);
        batch.sent(BIND);
        batch.received(frame('E', "SERROR\0C42601\0\0"), true); // the Parse failed: the server skips to the Sync
        assertThat(batch.settled()).as("the earlier batch's ReadyForQuery is still due").isFalse();
        batch.ready(ReadyForQuery.IDLE);
        assertThat(batch.settled()).as("the Bind after the Sync is still owed its answer").isFalse();
        batch.received(frame('2', ""), true);
        assertThat(batch.settled()).isTrue();
    }

    @Test
    void theStatusFollowsTransactionCommandsExecutedInTheBatch() {
        PgBatchState batch = new PgBatchState();
        batch.ready(ReadyForQuery.IDLE);
        batch.executed("BEGIN", "BEGIN");
        assertThat(batch.status()).isEqualTo(ReadyForQuery.IN_TRANSACTION);
        batch.executed("ROLLBACK", "ROLLBACK TO SAVEPOINT s1");
        assertThat(batch.status()).as("a rollback to a savepoint stays in the transaction").isEqualTo(ReadyForQuery.IN_TRANSACTION);
        batch.executed("COMMIT", "COMMIT AND CHAIN");
        assertThat(batch.status()).isEqualTo(ReadyForQuery.IN_TRANSACTION);
        batch.executed("COMMIT", "commit");
        assertThat(batch.status()).isEqualTo(ReadyForQuery.IDLE);
        batch.veilsTransaction(true);
        assertThat(batch.veilsTransaction()).isTrue();
        batch.ready(ReadyForQuery.IDLE);
        assertThat(batch.veilsTransaction()).as("ended by the server").isFalse();
    }
}
