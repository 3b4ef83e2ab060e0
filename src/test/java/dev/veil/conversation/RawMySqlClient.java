package dev.veil.conversation;

import dev.veil.identity.MySqlScramble;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.Packets;
import io.vertx.core.buffer.Buffer;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

/**
 * A MySQL client that reads what the listener answers before any command: the greeting, or the ERR sent in
 * its place, and the answer to a login (OK, or ERR). It connects from a chosen loopback address (127.0.0.2…),
 * which the listener sees as another client address.
 */
final class RawMySqlClient implements AutoCloseable {
    private static final int CAPABILITIES = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH
            | Capabilities.LONG_PASSWORD | Capabilities.TRANSACTIONS | Capabilities.CONNECT_WITH_DB;

    private final Socket socket;
    private final DataInputStream in;

    RawMySqlClient(String from, int port) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
    }

    /** The first packet's payload: a greeting, or an ERR in its place. */
    Buffer packet() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        int b2 = in.readUnsignedByte();
        in.readUnsignedByte(); // sequence id
        byte[] payload = new byte[b0 | (b1 << 8) | (b2 << 16)];
        in.readFully(payload);
        return Buffer.buffer(payload);
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
    }

    /** Logs in with mysql_native_password; the answer to the handshake response (OK or ERR). */
    Buffer login(String user, String password, String database) throws IOException {
        HandshakeV10 greeting = HandshakeV10.decode(packet());
        HandshakeResponse41 response = new HandshakeResponse41(CAPABILITIES, 1 << 24, MySqlMessages.CHARSET, user,
                MySqlScramble.nativePassword(password, greeting.authPluginData()), database, "mysql_native_password", Map.of());
        socket.getOutputStream().write(Packets.frame(1, response.encode()).getBytes());
        return packet();
    }

    static ErrPacket err(Buffer payload) {
        if (payload.getUnsignedByte(0) != ErrPacket.HEADER) {
            throw new AssertionError("expected an ERR packet, got a packet starting with 0x" + Integer.toHexString(payload.getUnsignedByte(0)));
        }
        return ErrPacket.decode(payload, true);
    }

    /** True when the listener has closed the connection. */
    boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
