package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.veil.conversation.ControlledAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

/** The kit itself: an allowed statement goes through the real Veil to the scripted upstream and back, and is recorded. */
class ScriptedConversationTest {
    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void anAllowedStatementIsAnsweredFromTheScriptAndRecorded(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            WireClient client = stage.client();
            Reply reply = client.query(Conversation.ALLOWED);
            assertThat(reply.frames()).isEqualTo(wire.resultFrames(1));
            assertThat(reply.rows()).containsExactly("first");
            assertThat(stage.upstream.executed()).containsExactly(Conversation.ALLOWED);

            JsonNode decided = stage.audit().await(type("statement.decided"), 1).get(0);
            assertThat(decided.path("protocol").asText()).isEqualTo(wire.protocol());
            assertThat(decided.path("decision").path("verdict").asText()).isEqualTo("allow");
            List<JsonNode> completed = stage.audit().await(type("statement.completed"), 1);
            assertThat(completed.get(0).path("outcome").asText()).isEqualTo("ok");
            assertThat(completed.get(0).path("rows").asLong()).isEqualTo(1);
        }
    }
}
