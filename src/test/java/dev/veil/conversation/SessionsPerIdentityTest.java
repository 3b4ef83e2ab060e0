package dev.veil.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.session.SessionOpener;
import dev.veil.testing.RawPgClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.veil.conversation.ControlledAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An identity holds at most veil.identity.session.max-per-identity sessions over the listeners: one more login,
 * with the right secret, is refused with 53300 (MySQL 1203, ER_TOO_MANY_USER_CONNECTIONS) and a message naming
 * the limit and its property, recorded as a failed login; a place comes back when a session ends.
 */
class SessionsPerIdentityTest {
    private static final String MESSAGE = "too many connections for identity \"" + InProcessVeil.USER + "\": it already holds 2"
            + " sessions, the most Veil allows one identity (veil.identity.session.max-per-identity); close some of them,"
            + " or raise the limit";

    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    /** Logs in once more as the stage's identity: the refusal's code and message. */
    private static String refusedLogin(Stage stage) throws Exception {
        if (stage.wire.protocol().equals("postgresql")) {
            try (RawPgClient c = new RawPgClient(stage.veil.port())) {
                // RawPgClient names the ErrorResponse's fields when a login fails.
                assertThatThrownBy(() -> c.login(InProcessVeil.USER, InProcessVeil.PASSWORD, InProcessVeil.DATABASE))
                        .hasMessage("login failed: {S=FATAL, V=FATAL, C=53300, M=" + MESSAGE + "}");
                assertThat(c.closedByPeer()).isTrue();
                return "53300";
            }
        }
        try (RawMySqlClient c = new RawMySqlClient("127.0.0.1", stage.veil.port())) {
            ErrPacket err = RawMySqlClient.err(c.login(InProcessVeil.USER, InProcessVeil.PASSWORD, InProcessVeil.DATABASE));
            assertThat(err.message()).isEqualTo(MESSAGE);
            assertThat(c.closedByPeer()).isTrue();
            return err.errorCode() + " " + err.sqlState();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void aLoginBeyondTheIdentitysSessionLimitIsRefusedAndRecorded(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, Map.of("veil.identity.session.max-per-identity", "2"))) {
            WireClient first = stage.client();
            WireClient second = stage.client();

            assertThat(refusedLogin(stage)).isEqualTo(wire.protocol().equals("postgresql") ? "53300" : "1203 42000");
            List<JsonNode> failed = stage.audit().await(type("auth.failed").and(r -> r.path("sqlState").asText().equals("53300")), 1);
            assertThat(failed.get(0).path("user").asText()).isEqualTo(InProcessVeil.USER);
            assertThat(failed.get(0).path("protocol").asText()).isEqualTo(wire.protocol());
            assertThat(failed.get(0).path("reason").asText()).isEqualTo(MESSAGE);
            // The sessions already open are not disturbed.
            assertThat(first.query(Conversation.ALLOWED).rows()).containsExactly("first");
            assertThat(second.query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void aPlaceComesBackWhenASessionEnds(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, Map.of("veil.identity.session.max-per-identity", "2"))) {
            SessionOpener sessions = stage.veil.engine().context().sessions();
            WireClient first = stage.client();
            stage.client();
            refusedLogin(stage);

            first.close();
            Eventually.until("the closed session's place given back", () -> sessions.sessionsOf(InProcessVeil.USER) == 1);
            WireClient third = stage.client();

            assertThat(third.query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void everyPlaceIsGivenBackWhenTheClientsAreGone(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, Map.of("veil.identity.session.max-per-identity", "2"))) {
            SessionOpener sessions = stage.veil.engine().context().sessions();
            WireClient first = stage.client();
            WireClient second = stage.client();
            refusedLogin(stage);
            assertThat(sessions.sessionsOf(InProcessVeil.USER)).isEqualTo(2);

            first.close();
            second.close();

            Eventually.until("every place given back", () -> sessions.sessionsOf(InProcessVeil.USER) == 0
                    && stage.veil.engine().clientConnections() == 0 && stage.veil.sessions().openSessions() == 0);
        }
    }
}
