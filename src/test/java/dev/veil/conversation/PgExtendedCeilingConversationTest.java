package dev.veil.conversation;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Execute under an enforced affected-rows ceiling (extended protocol), frame by frame: Veil's own commands go
 * to the server in the client's batch around the client's Execute, and the client reads exactly what the server
 * would have answered it without Veil (or the refusal in place of the Execute's answer), none of their answers.
 */
class PgExtendedCeilingConversationTest {
    /** Answered by two rows: within the test rule's ceiling of 3. */
    private static final String TWO = "UPDATE items SET v = 'x' WHERE v = 'a' RETURNING v /* " + InProcessVeil.CEILING_MARKER + " */";
    /** Answered by four rows: over it. */
    private static final String FOUR = "UPDATE items SET v = 'x' WHERE v = 'b' RETURNING v /* " + InProcessVeil.CEILING_MARKER + " */";

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    private static Stage stage() throws Exception {
        Stage stage = Stage.open(new PgConversation());
        stage.upstream.on(TWO, ScriptedUpstream.Answer.rows("a1", "a2"));
        stage.upstream.on(FOUR, ScriptedUpstream.Answer.rows("b1", "b2", "b3", "b4"));
        return stage;
    }

    @Test
    void inAutocommitVeilsTransactionIsCommittedAfterTheSyncAndTheClientSeesOnlyItsOwnAnswers() throws Exception {
        try (Stage stage = stage()) {
            WireClient client = stage.client();
            client.sendBatch(List.of(TWO));
            Reply reply = client.readBatchAnswer(1);
            assertThat(reply.frames()).containsExactly("ParseComplete", "BindComplete", "DataRow", "DataRow",
                    "CommandComplete UPDATE 2", "ReadyForQuery I");
            assertThat(stage.upstream.executed()).containsExactly("BEGIN", TWO, "COMMIT");
            // the session goes on
            assertThat(client.query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }

    @Test
    void overTheCeilingTheClientGetsTheRefusalInPlaceOfTheAnswerAndVeilRollsBack() throws Exception {
        try (Stage stage = stage()) {
            WireClient client = stage.client();
            client.sendBatch(List.of(FOUR, Conversation.OTHER));
            Reply reply = client.readBatchAnswer(2);
            assertThat(reply.frames()).containsExactly("ParseComplete", "BindComplete", "ErrorResponse ERROR 42501",
                    "ReadyForQuery I");
            assertThat(reply.error().message()).startsWith("guardrail affected-rows-ceiling: this statement changed 4 rows");
            // the rest of the batch was skipped, as the server skips it after an error
            assertThat(stage.upstream.executed()).containsExactly("BEGIN", FOUR, "ROLLBACK");
            assertThat(client.query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }

    @Test
    void insideTheClientsTransactionASavepointIsReleasedAndTheTransactionGoesOn() throws Exception {
        try (Stage stage = stage()) {
            WireClient client = stage.client();
            assertThat(client.query("BEGIN").frames()).containsExactly("CommandComplete BEGIN", "ReadyForQuery T");
            client.sendBatch(List.of(TWO));
            assertThat(client.readBatchAnswer(1).frames()).containsExactly("ParseComplete", "BindComplete", "DataRow",
                    "DataRow", "CommandComplete UPDATE 2", "ReadyForQuery T");
            client.sendBatch(List.of(FOUR));
            assertThat(client.readBatchAnswer(1).frames()).containsExactly("ParseComplete", "BindComplete",
                    "ErrorResponse ERROR 42501", "ReadyForQuery T");
            assertThat(stage.upstream.executed()).containsExactly("BEGIN", "SAVEPOINT veil_ceiling", TWO,
                    "RELEASE SAVEPOINT veil_ceiling", "SAVEPOINT veil_ceiling", FOUR, "ROLLBACK TO SAVEPOINT veil_ceiling",
                    "RELEASE SAVEPOINT veil_ceiling");
        }
    }

    @Test
    void pgjdbcsPreparedUpdateIsCountedInAutocommitAndInsideItsTransaction() throws Exception {
        String none = "UPDATE items SET v = 'x' WHERE v = 'z' /* " + InProcessVeil.CEILING_MARKER + " */";
        Class.forName("org.postgresql.Driver"); // the kit's JVM may not have loaded it through DriverManager yet
        try (Stage stage = stage()) {
            stage.upstream.on(none, new ScriptedUpstream.Answer(List.of(), ScriptedUpstream.Ending.COMPLETE));
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + stage.veil.port() + "/"
                    + InProcessVeil.DATABASE + "?sslmode=disable&socketTimeout=30", InProcessVeil.USER, InProcessVeil.PASSWORD);
                 PreparedStatement st = c.prepareStatement(none)) {
                assertThat(st.executeUpdate()).isZero();
                assertThat(stage.upstream.executed()).containsSubsequence("BEGIN", none, "COMMIT");
                // pgjdbc sends its BEGIN as a simple query in the same write as the statement: Veil's savepoint follows it
                c.setAutoCommit(false);
                assertThat(st.executeUpdate()).isZero();
                assertThat(stage.upstream.executed()).endsWith("BEGIN", "SAVEPOINT veil_ceiling", none, "RELEASE SAVEPOINT veil_ceiling");
                c.rollback();
            }
        }
    }
}
