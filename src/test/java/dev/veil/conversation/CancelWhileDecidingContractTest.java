package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.session.Session;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.veil.conversation.Conversation.ALLOWED;
import static dev.veil.conversation.ControlledAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancel (PostgreSQL CancelRequest, MySQL KILL QUERY) that arrives while Veil is still deciding on the
 * statement (here: a write waiting for its record's fsync) cancels it: the server would have dropped a cancel for
 * a statement it had not started, and the statement would have run to its end after the client gave up on it.
 */
class CancelWhileDecidingContractTest {
    private static final String WRITE = "UPDATE items SET v = 'second' WHERE v = 'first'";

    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void aStatementCancelledBeforeItWentUpstreamIsAnsweredAsCancelledAndNeverRuns(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            stage.upstream.on(WRITE, ScriptedUpstream.Answer.rows(new String[0]));
            WireClient client = stage.client();
            stage.audit().hold();

            client.sendQueries(List.of(WRITE));
            stage.audit().awaitSyncWaiting();
            List<Session> sessions = stage.veil.sessions().sessions();
            assertThat(sessions).hasSize(1);
            sessions.get(0).cancel();
            stage.audit().release();
            Reply reply = client.readAnswer();

            assertThat(reply.error()).as("the client's answer").isNotNull();
            assertThat(reply.error().code()).isEqualTo(wire instanceof PgConversation ? "57014" : "1317");
            assertThat(stage.upstream.executed()).doesNotContain(WRITE);
            JsonNode completed = stage.audit().await(type("statement.completed"), 1).get(0);
            assertThat(completed.path("outcome").asText()).isEqualTo("error");
            // The session goes on, and a cancel that came before a statement does not reach the next one.
            assertThat(client.query(ALLOWED).rows()).containsExactly("first");
        }
    }
}
