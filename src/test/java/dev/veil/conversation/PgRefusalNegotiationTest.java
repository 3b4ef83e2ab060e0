package dev.veil.conversation;

import dev.veil.protocol.pg.StartupMessage;
import dev.veil.testing.RawPgClient;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PostgreSQL client refused by a connection limit is answered as the server answers one when it has too many
 * clients: its SSLRequest or GSSENCRequest first (with the TLS handshake when TLS is on offer), then, after its
 * StartupMessage, FATAL 53300. A client that opened with SSLRequest (psql's default) so reads "too many
 * connections" instead of failing on an error where it expected 'S' or 'N'.
 */
class PgRefusalNegotiationTest {
    private static final String REFUSAL = "sorry, too many clients already: 1 connections from 127.0.0.2 are logging in"
            + " already, the most Veil lets log in at once from one address; try again in a moment"
            + " (veil.pg.max-authenticating-per-address)";
    private static final byte[] SSL_REQUEST = Buffer.buffer().appendInt(8).appendInt(80877103).getBytes();
    private static final byte[] GSSENC_REQUEST = Buffer.buffer().appendInt(8).appendInt(80877104).getBytes();

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    /** A stage whose listener lets one connection from an address log in at once, with one from 127.0.0.2 stalled. */
    private static Stage stageWithOneStalled(Map<String, String> more, Socket stalled) throws Exception {
        Map<String, String> p = new HashMap<>(more);
        p.put("veil.pg.max-authenticating-per-address", "1");
        Stage stage = Stage.open(new PgConversation(), p);
        stalled.bind(new InetSocketAddress("127.0.0.2", 0));
        stalled.connect(new InetSocketAddress("127.0.0.1", stage.veil.port()));
        stalled.getOutputStream().write(new byte[]{0, 0, 0});
        Eventually.until("the stalled connection counted", () -> stage.veil.engine().authenticatingConnectionsFrom("127.0.0.2") == 1);
        return stage;
    }

    private static Socket from(String address, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(address, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.setSoTimeout(10_000);
        return s;
    }

    private static byte[] startup() {
        return new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", InProcessVeil.USER, "database", InProcessVeil.DATABASE))
                .encode().getBytes();
    }

    /** Reads one message and then the end of the stream. */
    private static RawPgClient.Message lastMessage(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        char type = (char) in.readUnsignedByte();
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        assertThat(in.read()).as("the end of the stream after the error").isEqualTo(-1);
        return new RawPgClient.Message(type, body);
    }

    private static void assertRefused(RawPgClient.Message m) {
        assertThat(m.type()).isEqualTo('E');
        assertThat(m.fields()).containsEntry('S', "FATAL").containsEntry('C', "53300").containsEntry('M', REFUSAL);
    }

    @Test
    void anSslRequestIsDeclinedWhenTlsIsOffAndTheErrorFollowsTheStartupMessage() throws Exception {
        try (Socket stalled = new Socket(); Stage stage = stageWithOneStalled(Map.of(), stalled);
             Socket c = from("127.0.0.2", stage.veil.port())) {
            c.getOutputStream().write(SSL_REQUEST);
            assertThat(c.getInputStream().read()).isEqualTo('N');
            c.getOutputStream().write(startup());

            assertRefused(lastMessage(c.getInputStream()));
        }
    }

    @Test
    void aGssEncRequestIsDeclinedAndTheErrorFollowsTheStartupMessage() throws Exception {
        try (Socket stalled = new Socket(); Stage stage = stageWithOneStalled(Map.of(), stalled);
             Socket c = from("127.0.0.2", stage.veil.port())) {
            c.getOutputStream().write(GSSENC_REQUEST);
            assertThat(c.getInputStream().read()).isEqualTo('N');
            c.getOutputStream().write(startup());

            assertRefused(lastMessage(c.getInputStream()));
        }
    }

    @Test
    void anSslRequestIsAnsweredWithTlsWhenOfferedAndTheErrorComesInsideIt() throws Exception {
        try (Socket stalled = new Socket(); Stage stage = stageWithOneStalled(Map.of("veil.pg.tls.mode", "optional"), stalled);
             Socket c = from("127.0.0.2", stage.veil.port())) {
            c.getOutputStream().write(SSL_REQUEST);
            assertThat(c.getInputStream().read()).isEqualTo('S');
            try (SSLSocket tls = TlsClient.handshake(c)) {
                OutputStream out = tls.getOutputStream();
                out.write(startup());
                out.flush();

                assertRefused(lastMessage(tls.getInputStream()));
            }
        }
    }

    @Test
    void theRefusalIsCountedApartAndLeavesNoPlaceTaken() throws Exception {
        try (Socket stalled = new Socket(); Stage stage = stageWithOneStalled(Map.of(), stalled)) {
            try (Socket c = from("127.0.0.2", stage.veil.port())) {
                c.getOutputStream().write(startup());
                assertRefused(lastMessage(c.getInputStream()));
            }

            assertThat(stage.veil.engine().authenticatingConnections()).isEqualTo(1);
            assertThat(stage.veil.engine().clientConnections()).isEqualTo(1);
            assertThat(stage.client().query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }
}
