package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.veil.conversation.Conversation.ALLOWED;
import static dev.veil.conversation.Conversation.OTHER;
import static dev.veil.conversation.ControlledAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refusals, on both wires: a statement a rule refuses gets the protocol's error naming the rule, in its turn
 * (after the answers to what was sent before it, before those to what follows), never reaches the upstream, is
 * recorded as a decision to deny with that rule, and leaves the connection usable.
 */
class RefusalContractTest {
    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void aRefusedSimpleQueryGetsTheRulesErrorAndTheConnectionStaysUsable(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            WireClient client = stage.client();

            Reply refused = client.query(wire.refusedStatement());

            assertThat(refused.frames()).isEqualTo(wire.refusalFrames());
            assertRefusal(wire, refused.error());
            Reply next = client.query(ALLOWED);
            assertThat(next.frames()).isEqualTo(wire.resultFrames(1));
            assertThat(next.rows()).containsExactly("first");
            assertThat(stage.upstream.executed()).containsExactly(ALLOWED);
            assertNeverReachedUpstream(stage, wire);
            assertDenyRecorded(stage, wire);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void aRefusalInsideAnExtendedBatchSkipsWhatTheBatchCannotRunAndTheConnectionStaysUsable(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            WireClient client = stage.client();

            client.sendBatch(List.of(ALLOWED, wire.refusedStatement(), OTHER));
            Reply batch = client.readBatchAnswer(3);

            assertThat(batch.frames()).isEqualTo(wire.batchWithRefusalFrames());
            assertRefusal(wire, batch.error());
            List<String> runs = wire.batchWithRefusalRuns();
            assertThat(stage.upstream.executed()).isEqualTo(runs);
            assertThat(batch.rows()).isEqualTo(runs.stream().map(RefusalContractTest::rowOf).toList());
            assertThat(stage.upstream.executed()).doesNotContain(wire.refusedStatement());
            assertDenyRecorded(stage, wire);

            Reply next = client.query(ALLOWED);
            assertThat(next.frames()).isEqualTo(wire.resultFrames(1));
            assertThat(stage.upstream.executed()).hasSize(runs.size() + 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void statementsPipelinedAroundARefusedOneAreAnsweredInOrderAndTheLaterOnesRun(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire)) {
            WireClient client = stage.client();

            client.sendQueries(List.of(ALLOWED, wire.refusedStatement(), OTHER));
            Reply first = client.readAnswer();
            Reply second = client.readAnswer();
            Reply third = client.readAnswer();

            assertThat(first.frames()).isEqualTo(wire.resultFrames(1));
            assertThat(first.rows()).containsExactly("first");
            assertThat(second.frames()).isEqualTo(wire.refusalFrames());
            assertRefusal(wire, second.error());
            assertThat(third.frames()).isEqualTo(wire.resultFrames(1));
            assertThat(third.rows()).containsExactly("third");
            assertThat(stage.upstream.executed()).containsExactly(ALLOWED, OTHER);
            assertNeverReachedUpstream(stage, wire);
            assertDenyRecorded(stage, wire);
        }
    }

    private static void assertRefusal(Conversation wire, Reply.Error error) {
        assertThat(error).isNotNull();
        assertThat(error.code()).isEqualTo(wire.refusalCode());
        assertThat(error.message()).contains("rule " + wire.refusalRule());
    }

    /** Not even its text: a simple query is decided before anything of it is forwarded. */
    private static void assertNeverReachedUpstream(Stage stage, Conversation wire) {
        assertThat(stage.upstream.received()).noneMatch(r -> r.message().contains(wire.refusedStatement()));
    }

    private static void assertDenyRecorded(Stage stage, Conversation wire) throws InterruptedException {
        JsonNode deny = stage.audit().await(j -> type("statement.decided").test(j)
                && "deny".equals(j.path("decision").path("verdict").asText()), 1).get(0);
        assertThat(deny.path("decision").path("rule").asText()).isEqualTo(wire.refusalRule());
        assertThat(deny.path("protocol").asText()).isEqualTo(wire.protocol());
        assertThat(deny.path("identityName").asText()).isEqualTo(InProcessVeil.USER);
    }

    private static String rowOf(String statement) {
        return statement.equals(ALLOWED) ? "first" : "third";
    }
}
