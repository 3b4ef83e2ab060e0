package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.veil.conversation.Conversation.ALLOWED;
import static dev.veil.conversation.Conversation.OTHER;
import static dev.veil.conversation.ControlledAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads that run before their record is fsync'd with their answers held (veil.audit.reads-durable-before=reply, the
 * strict mode): the statement goes upstream once its record is in the audit file, and its answer is held until the record is
 * durable. Nothing of it reaches the client before the fsync completes; when the fsync fails, the answer is never
 * sent and the session ends with FATAL 53000 (MySQL 1290), and Veil serves new sessions once its log recovers. An
 * error that ends the session for another reason meanwhile reaches the client after the answers held before it.
 */
class HeldAnswerContractTest {
    private static final String CUT = "SELECT v FROM items WHERE v = 'cut'";
    private static final Map<String, String> STRICT = Map.of("veil.audit.reads-durable-before", "reply");

    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void byDefaultAReadIsAnsweredOnceItsRecordIsInTheFileWithoutWaitingForTheFsync(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            WireClient client = stage.client();
            stage.audit().hold();

            client.sendQueries(List.of(ALLOWED));
            stage.audit().awaitSyncWaiting();
            Reply reply = client.readAnswer();

            assertThat(reply.rows()).containsExactly("first");
            // The record was written before the read ran; the fsync the test holds will make it durable.
            assertThat(stage.audit().records()).anySatisfy(r -> assertThat(type("statement.decided").test(r)).isTrue());
            stage.audit().release();
            assertThat(stage.audit().await(type("statement.completed"), 1).get(0).path("outcome").asText()).isEqualTo("ok");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void answersToReadsAreHeldUntilTheirRecordsAreDurableThenReleasedInOrder(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, STRICT)) {
            WireClient client = stage.client();
            stage.audit().hold();

            client.sendQueries(List.of(ALLOWED, OTHER));

            // Both reads ran upstream while the fsync was held, and Veil has read both whole answers...
            stage.audit().awaitSyncWaiting();
            Eventually.until("both answers back from the upstream", () -> stage.veil.statementsCompleted() == 2);
            assertThat(stage.upstream.executed()).containsExactly(ALLOWED, OTHER);
            // ...but nothing of them went to the client.
            assertThat(client.nothingArrives()).isTrue();

            stage.audit().release();
            Reply first = client.readAnswer();
            Reply second = client.readAnswer();
            assertThat(first.frames()).isEqualTo(wire.resultFrames(1));
            assertThat(first.rows()).containsExactly("first");
            assertThat(second.frames()).isEqualTo(wire.resultFrames(1));
            assertThat(second.rows()).containsExactly("third");
            List<JsonNode> completed = stage.audit().await(type("statement.completed"), 2);
            assertThat(completed).allSatisfy(c -> assertThat(c.path("outcome").asText()).isEqualTo("ok"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void anErrorEndingTheSessionWhileAnswersAreHeldComesAfterThem(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, STRICT)) {
            stage.upstream.on(CUT, ScriptedUpstream.Answer.rowsThenLost("r1"));
            WireClient client = stage.client();
            stage.audit().hold();

            // A whole answer, then the upstream lost in the middle of the next one, both held for their records.
            client.sendQueries(List.of(ALLOWED, CUT));
            stage.audit().awaitSyncWaiting();
            // Veil has seen the upstream go (it freed the connection's pool slot as it ended the session)...
            Eventually.until("the lost connection's pool slot to be free", () -> stage.veil.pool().total() == 0);
            // ...and its error waits behind the answers held.
            assertThat(client.nothingArrives()).isTrue();

            stage.audit().release();
            Reply reply = client.readUntilClosed();
            List<String> expected = new ArrayList<>(wire.resultFrames(1));
            expected.addAll(wire.cutResultFrames(1, wire.upstreamLostCode()));
            assertThat(reply.frames()).isEqualTo(expected);
            assertThat(reply.rows()).containsExactly("first", "r1");
            Eventually.until("the session to leave the registry", () -> stage.veil.sessions().openSessions() == 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void anAnswerWhoseRecordCannotBeMadeDurableIsNeverSentAndTheSessionEnds(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, Map.of("veil.audit.reads-durable-before", "reply", "veil.audit.retry-interval", "50ms"))) {
            WireClient client = stage.client();
            stage.audit().hold();

            client.sendQueries(List.of(ALLOWED));
            stage.audit().awaitSyncWaiting();
            Eventually.until("the answer back from the upstream", () -> stage.veil.statementsCompleted() == 1);
            stage.audit().fail("No space left on device");
            Reply end = client.readUntilClosed();

            assertThat(end.frames()).isEqualTo(wire.sessionEndFrames(wire.auditUnavailableCode()));
            assertThat(end.rows()).isEmpty();
            assertThat(end.error().message()).contains("withheld").contains("durable").contains("No space left on device");
            assertThat(stage.upstream.executed()).first().isEqualTo(ALLOWED); // then Veil's reset of the connection
            Eventually.until("the session to leave the registry", () -> stage.veil.sessions().openSessions() == 0);

            // Once the disk is back, the log recovers and Veil serves a new session.
            stage.audit().heal();
            Eventually.until("the audit log to recover", () -> {
                try (WireClient again = stage.wire.login(stage.veil)) {
                    return again.query(OTHER).error() == null;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }
}
