package dev.veil.conversation;

import dev.veil.identity.MySqlScramble;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.PayloadReader;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * A MySQL client packet by packet: HandshakeResponse41 with mysql_native_password as a local account, then
 * commands. It reads answers by the shape of the command they answer (a result set or OK/ERR for COM_QUERY and
 * COM_STMT_EXECUTE, COM_STMT_PREPARE_OK or ERR for a prepare), without CLIENT_DEPRECATE_EOF.
 */
final class MySqlWireClient extends WireClient {
    private static final int CAPABILITIES = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH
            | Capabilities.LONG_PASSWORD | Capabilities.TRANSACTIONS | Capabilities.CONNECT_WITH_DB;

    /** A text result or OK/ERR; a binary result (an execution) or OK/ERR; a prepare's answer. */
    private enum Shape { RESULT, BINARY, PREPARE }

    /** The shapes of the answers still owed, in the order the commands were sent. */
    private final ArrayDeque<Shape> owed = new ArrayDeque<>();

    private MySqlWireClient(int port) throws IOException {
        super(port);
    }

    /** Connects and logs in; returns once Veil sent OK. */
    static MySqlWireClient login(int port, String user, String password, String database) throws Exception {
        return login(port, user, password, database, 0);
    }

    /** As above, asking for more capabilities ({@code extra}: MULTI_STATEMENTS, say). */
    static MySqlWireClient login(int port, String user, String password, String database, int extra) throws Exception {
        MySqlWireClient c = new MySqlWireClient(port);
        HandshakeV10 greeting = HandshakeV10.decode(c.packet());
        HandshakeResponse41 response = new HandshakeResponse41(CAPABILITIES | extra, 1 << 24, MySqlMessages.CHARSET, user,
                MySqlScramble.nativePassword(password, greeting.authPluginData()), database, "mysql_native_password", Map.of());
        c.write(Packets.frame(1, response.encode()));
        Buffer answer = c.packet();
        if (answer.getUnsignedByte(0) != 0) {
            throw new IllegalStateException("login failed: " + (answer.getUnsignedByte(0) == ErrPacket.HEADER
                    ? ErrPacket.decode(answer, true).message() : "packet 0x" + Integer.toHexString(answer.getUnsignedByte(0))));
        }
        return c;
    }

    @Override
    void sendQueries(List<String> sql) throws IOException {
        Buffer all = Buffer.buffer();
        for (String s : sql) {
            all.appendBuffer(Packets.frame(0, MySqlMessages.query(s)));
            owed.add(Shape.RESULT);
        }
        write(all);
    }

    @Override
    Reply readAnswer() throws IOException {
        Reply.Builder reply = new Reply.Builder();
        readAnswer(reply);
        return reply.build();
    }

    @Override
    void sendBatch(List<String> sql) throws IOException {
        Buffer all = Buffer.buffer();
        for (String s : sql) {
            all.appendBuffer(Packets.frame(0, MySqlMessages.prepare(s)));
            all.appendBuffer(Packets.frame(0, MySqlMessages.execute(MySqlMessages.LAST_PREPARED)));
            owed.add(Shape.PREPARE);
            owed.add(Shape.BINARY);
        }
        write(all);
    }

    /** Two answers per statement: its prepare's and its execution's. */
    @Override
    Reply readBatchAnswer(int statements) throws IOException {
        Reply.Builder reply = new Reply.Builder();
        for (int i = 0; i < 2 * statements; i++) {
            readAnswer(reply);
        }
        return reply.build();
    }

    /** The column count, definitions and EOF, then {@code rows} rows of a text result. */
    @Override
    Reply readRows(int rows) throws IOException {
        owed.poll();
        Reply.Builder reply = new Reply.Builder();
        long columns = new PayloadReader(packet()).lenenc();
        reply.frame("ColumnCount " + columns);
        for (long i = 0; i < columns; i++) {
            packet();
            reply.frame("ColumnDefinition");
        }
        packet();
        reply.frame("EOF");
        for (int i = 0; i < rows; i++) {
            reply.row("Row", new PayloadReader(packet()).lenencString());
        }
        return reply.build();
    }

    @Override
    Reply readUntilClosed() throws IOException {
        Reply.Builder reply = new Reply.Builder();
        try {
            while (true) {
                readAnswer(reply);
            }
        } catch (IOException e) {
            if (endOfStream(e)) {
                return reply.build();
            }
            throw e;
        }
    }

    /** Reads one answer, of the shape owed next (a result, when nothing is owed: an error Veil sends on its own). */
    private void readAnswer(Reply.Builder reply) throws IOException {
        Shape shape = owed.isEmpty() ? Shape.RESULT : owed.poll();
        Buffer first = packet();
        int header = first.getUnsignedByte(0);
        if (header == ErrPacket.HEADER) {
            error(reply, first);
        } else if (header == 0x00) {
            reply.frame(shape == Shape.PREPARE ? "PrepareOK" : "OK");
        } else {
            // A result set: column count, definitions, EOF, rows until EOF (or an ERR cutting it short).
            long columns = new PayloadReader(first).lenenc();
            reply.frame("ColumnCount " + columns);
            for (long i = 0; i < columns; i++) {
                packet();
                reply.frame("ColumnDefinition");
            }
            packet();
            reply.frame("EOF");
            while (true) {
                Buffer p = packet();
                int h = p.getUnsignedByte(0);
                if (h == ErrPacket.HEADER) {
                    error(reply, p);
                    return;
                }
                if (h == 0xFE && p.length() < 9) {
                    reply.frame("EOF");
                    return;
                }
                PayloadReader r = new PayloadReader(p);
                if (shape == Shape.BINARY) {
                    r.int1(); // binary row: header 0x00 and a NULL bitmap of one byte (one column)
                    r.int1();
                }
                reply.row("Row", r.lenencString());
            }
        }
    }

    private static void error(Reply.Builder reply, Buffer payload) {
        ErrPacket err = ErrPacket.decode(payload, true);
        reply.error("ERR " + err.errorCode() + " " + err.sqlState(), Integer.toString(err.errorCode()), err.message());
    }

    private Buffer packet() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        int b2 = in.readUnsignedByte();
        in.readUnsignedByte(); // sequence id
        byte[] payload = new byte[b0 | (b1 << 8) | (b2 << 16)];
        in.readFully(payload);
        return Buffer.buffer(payload);
    }
}
