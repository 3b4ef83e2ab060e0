package dev.veil.conversation;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A logged-in PostgreSQL client that sends a malformed Parse, Bind, Execute or Close (raw bytes, over the real
 * listener) is told FATAL 08P01 naming the message and what is wrong with it, as the server would, instead of
 * XX000 "internal error"; the message never reaches the upstream and the gateway goes on serving other clients.
 */
class MalformedPgMessagesTest {
    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    private static Buffer frame(char type, Buffer body) {
        return Buffer.buffer().appendByte((byte) type).appendInt(4 + body.length()).appendBuffer(body);
    }

    private static Buffer cstrings(String... values) {
        Buffer b = Buffer.buffer();
        for (String v : values) {
            b.appendBytes(v.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
        }
        return b;
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("a Bind with fewer values than its parameter count", frame('B', cstrings("", "")
                        .appendShort((short) 0).appendShort((short) 3).appendInt(1).appendString("a").appendInt(1)
                        .appendString("b").appendShort((short) 0)), "invalid Bind message: parameter count 3 but only 2 values"),
                Arguments.of("a Bind value running past the end", frame('B', cstrings("", "").appendShort((short) 0)
                        .appendShort((short) 1).appendInt(1_000_000).appendString("abc")), "invalid Bind message: parameter 1 of 1"
                        + " declares 1000000 bytes, which run past the end of the message (3 bytes left)"),
                Arguments.of("a Bind with a negative value length", frame('B', cstrings("", "").appendShort((short) 0)
                        .appendShort((short) 1).appendInt(-7).appendShort((short) 0)),
                        "invalid Bind message: parameter 1 has length -7 (only -1, for NULL, may be negative)"),
                Arguments.of("a Parse without the end of its query", frame('P', cstrings("").appendString("SELECT 1")),
                        "invalid Parse message: the query string runs past the end of the message (no terminating zero byte)"),
                Arguments.of("a Parse declaring more types than it has", frame('P', cstrings("", "SELECT $1")
                        .appendShort((short) 1000)), "invalid Parse message: it declares 1000 parameter types but only 0 bytes follow"),
                Arguments.of("an Execute without its row limit", frame('E', cstrings("")),
                        "invalid Execute message: the row limit runs past the end of the message (4 bytes needed, 0 left)"),
                Arguments.of("a Close of neither a statement nor a portal", frame('C', Buffer.buffer("Q").appendBuffer(cstrings("x"))),
                        "invalid Close message: it closes 'Q'; 'S' (a statement) or 'P' (a portal) expected"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedMessageEndsTheSessionWith08P01NamingWhatIsWrong(String what, Buffer bytes, String message) throws Exception {
        try (Stage stage = Stage.open(new PgConversation())) {
            WireClient client = stage.client();

            client.write(bytes.copy().appendBuffer(PgMessages.sync()));
            Reply reply = client.readUntilClosed();

            assertThat(reply.frames()).containsExactly("ErrorResponse FATAL 08P01");
            assertThat(reply.error().message()).isEqualTo(message);
            WireClient next = stage.client();
            assertThat(next.query(Conversation.ALLOWED).rows()).containsExactly("first");
            // The server connection of the ended session is reset and reused; nothing of the malformed message ran.
            assertThat(statementsRun(stage)).isEqualTo(List.of(Conversation.ALLOWED));
        }
    }

    private static List<String> statementsRun(Stage stage) {
        return stage.upstream.executed().stream().filter(s -> !s.equals("DISCARD ALL")).toList();
    }
}
