package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.veil.conversation.Conversation.ALLOWED;
import static dev.veil.conversation.ControlledAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One side of a session goes away in the middle of a result. When the upstream is lost, the client gets the rows
 * relayed so far and then the protocol's upstream-lost error, and the statement is recorded as interrupted. When
 * the client is gone, the server connection (still owing the rest of the result) is closed rather than reset and
 * pooled. Either way the session is ended in the registry and in the audit trail, and Veil serves the next one.
 */
class LostPeerContractTest {
    private static final String CUT = "SELECT v FROM items WHERE v = 'cut'";

    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void anUpstreamLostMidResultEndsTheSessionWithTheUpstreamLostErrorAfterTheRowsRelayed(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            stage.upstream.on(CUT, ScriptedUpstream.Answer.rowsThenLost("r1", "r2"));
            WireClient client = stage.client();

            client.sendQueries(List.of(CUT));
            Reply reply = client.readUntilClosed();

            assertThat(reply.frames()).isEqualTo(wire.cutResultFrames(2, wire.upstreamLostCode()));
            assertThat(reply.rows()).containsExactly("r1", "r2");
            assertThat(reply.error().message()).contains("upstream \"" + stage.upstream.name() + "\"").contains("reconnect");
            JsonNode completed = stage.audit().await(type("statement.completed"), 1).get(0);
            assertThat(completed.path("outcome").asText()).isEqualTo("interrupted");
            JsonNode ended = stage.audit().await(type("session.ended"), 1).get(0);
            assertThat(ended.path("reason").asText()).contains(wire.upstreamLostCode()).contains("upstream");
            Eventually.until("the session to leave the registry", () -> stage.veil.sessions().openSessions() == 0);
            Eventually.until("the lost connection's pool slot to be free", () -> stage.veil.pool().total() == 0);

            assertVeilServesANewSession(stage, wire);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void aClientGoneMidResultHasItsServerConnectionClosedNotReusedAndItsSessionEnded(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            stage.upstream.on(CUT, ScriptedUpstream.Answer.rowsThenSilent("r1", "r2"));
            WireClient client = stage.client();

            client.sendQueries(List.of(CUT));
            assertThat(client.readRows(2).rows()).containsExactly("r1", "r2");
            int server = stage.upstream.awaitReceived(m -> m.equals("ran " + CUT));
            client.close();

            stage.upstream.awaitClosed(server);
            assertThat(stage.upstream.received(server)).noneMatch(wire::isReset);
            Eventually.until("the closed connection's pool slot to be free", () -> stage.veil.pool().total() == 0);
            Eventually.until("the session to leave the registry", () -> stage.veil.sessions().openSessions() == 0);
            JsonNode completed = stage.audit().await(type("statement.completed"), 1).get(0);
            assertThat(completed.path("outcome").asText()).isEqualTo("interrupted");
            JsonNode ended = stage.audit().await(type("session.ended"), 1).get(0);
            assertThat(ended.path("reason").asText()).isEqualTo("client disconnected");

            assertVeilServesANewSession(stage, wire);
        }
    }

    private static void assertVeilServesANewSession(Stage stage, Conversation wire) throws Exception {
        int before = stage.upstream.connections();
        Reply next = stage.client().query(ALLOWED);
        assertThat(next.frames()).isEqualTo(wire.resultFrames(1));
        assertThat(stage.upstream.connections()).as("a new server connection").isEqualTo(before + 1);
    }
}
