package dev.veil.conversation;

import dev.veil.frontend.ListenerTls;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLSocket;
import java.net.Socket;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener's TLS context (here with a self-signed certificate, as in demo mode) is built when the listener
 * starts, on a worker thread, and the first client asking for TLS is served with it: nothing is built on the
 * event loop that serves that client (issue 12: the first MySQL TLS client stalled its event loop 2.2 s).
 */
class ListenerTlsTest {
    static Stream<Conversation> dialects() {
        return Stage.dialects();
    }

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    private static Map<String, String> tlsOn(Conversation wire) {
        return Map.of((wire.protocol().equals("postgresql") ? "veil.pg" : "veil.mysql") + ".tls.mode", "optional");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialects")
    void theTlsContextIsBuiltWhenTheListenerStartsBeforeAnyClient(Conversation wire) throws Exception {
        try (Stage stage = Stage.open(wire, tlsOn(wire))) {
            ListenerTls tls = stage.veil.listener().tls();

            assertThat(tls).as("the listener's TLS, once started").isNotNull();
            assertThat(tls.context().isServer()).isTrue();
            assertThat(tls.handedOut()).as("contexts handed out before any client").isZero();
        }
    }

    @Test
    void theFirstTlsClientIsServedWithThePreparedContext() throws Exception {
        PgConversation wire = new PgConversation();
        try (Stage stage = Stage.open(wire, tlsOn(wire)); Socket c = new Socket("127.0.0.1", stage.veil.port())) {
            ListenerTls tls = stage.veil.listener().tls();
            c.setSoTimeout(10_000);
            c.getOutputStream().write(Buffer.buffer().appendInt(8).appendInt(80877103).getBytes());
            assertThat(c.getInputStream().read()).isEqualTo('S');

            try (SSLSocket secured = TlsClient.handshake(c)) {
                assertThat(secured.getSession().getProtocol()).startsWith("TLS");
            }

            // Vert.x asked its engine options for the server context and was handed the prepared one.
            assertThat(tls.handedOut()).isEqualTo(1);
        }
    }

    @Test
    void aListenerWithTlsOffPreparesNone() throws Exception {
        try (Stage stage = Stage.open(new PgConversation())) {
            assertThat(stage.veil.listener().tls()).isNull();
        }
    }
}
