package dev.veil.conversation;

import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.Capabilities;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sequence ids on the real MySQL front end, over a loopback socket: a packet whose sequence id is not the next
 * one is refused with ER_NET_PACKETS_OUT_OF_ORDER (1156) and the connection closed, before login and after it,
 * where the packet continuing a 16 MB one must carry the next id rather than be joined to it.
 */
class MySqlPacketOrderTest {
    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @Test
    void aHandshakeResponseWithTheWrongSequenceIdIsRefusedWith1156() throws Exception {
        try (Stage stage = Stage.open(new MySqlConversation());
             Socket s = new Socket("127.0.0.1", stage.veil.port())) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(payload(in)[0]).as("HandshakeV10").isEqualTo((byte) 10);
            HandshakeResponse41 response = new HandshakeResponse41(Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION
                    | Capabilities.PLUGIN_AUTH, 1 << 24, MySqlMessages.CHARSET, InProcessVeil.USER, new byte[20], null,
                    "mysql_native_password", Map.of());
            // The answer to the greeting (sequence id 0) must carry 1.
            s.getOutputStream().write(Packets.frame(4, response.encode()).getBytes());
            ErrPacket err = ErrPacket.decode(Buffer.buffer(payload(in)), true);
            assertThat(err.errorCode()).isEqualTo(1156);
            assertThat(err.sqlState()).isEqualTo("08S01");
            assertThat(err.message()).contains("Got packets out of order");
            assertThat(closed(in)).isTrue();
        }
    }

    @Test
    void aSixteenMegabyteCommandWhoseContinuationHasTheWrongSequenceIdIsRefusedNotRun() throws Exception {
        try (Stage stage = Stage.open(new MySqlConversation())) {
            MySqlWireClient client = (MySqlWireClient) stage.client();
            byte[] first = new byte[Packets.MAX_PAYLOAD];
            Arrays.fill(first, (byte) ' ');
            first[0] = Command.COM_QUERY;
            byte[] start = Conversation.ALLOWED.getBytes();
            System.arraycopy(start, 0, first, 1, start.length);
            // The first packet of the command carries 0, its continuation must carry 1: it carries 2.
            Buffer wire = Buffer.buffer().appendMediumLE(Packets.MAX_PAYLOAD).appendByte((byte) 0).appendBytes(first)
                    .appendMediumLE(3).appendByte((byte) 2).appendString("   ");
            client.write(wire);
            Reply reply = client.readUntilClosed();
            assertThat(reply.frames()).containsExactly("ERR 1156 08S01");
            assertThat(reply.error().message()).contains("Got packets out of order", "expected 1");
            assertThat(stage.upstream.executed()).as("nothing reached the server").isEmpty();
            // The gateway serves the next client.
            assertThat(stage.client().query(Conversation.ALLOWED).rows()).containsExactly("first");
        }
    }

    private static byte[] payload(DataInputStream in) throws IOException {
        int length = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
        in.readUnsignedByte();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    private static boolean closed(DataInputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }
}
