package dev.veil.conversation;

import dev.veil.analysis.Dialect;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.EofPacket;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.ServerStatus;
import dev.veil.protocol.mysql.TextRow;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The server side of the MySQL protocol, as far as Veil uses it: a HandshakeV10 asking for
 * mysql_native_password, OK to any HandshakeResponse41 (the password is not checked), COM_QUERY, prepared
 * statements (COM_STMT_PREPARE, COM_STMT_EXECUTE by id or by -1 for the one prepared last, COM_STMT_CLOSE) and
 * the session commands Veil sends itself (COM_RESET_CONNECTION, COM_INIT_DB, COM_PING, COM_QUIT). Logged per
 * connection: "Login user=… database=…", then the command name and its text or statement. It offers what a MySQL 8
 * server offers Veil and answers in the layout each connection negotiated (CLIENT_DEPRECATE_EOF: no EOF after the
 * column definitions and an OK with header 0xFE after the rows; CLIENT_SESSION_TRACK: OK packets with their info).
 */
final class ScriptedMySqlServer extends ScriptedUpstream {
    private static final int CAPABILITIES = Capabilities.SUPPORTED;
    private static final int STATUS = ServerStatus.AUTOCOMMIT;

    ScriptedMySqlServer(Vertx vertx) {
        super(vertx);
    }

    @Override
    Dialect dialect() {
        return Dialect.MYSQL;
    }

    @Override
    String name() {
        return "my";
    }

    @Override
    void serve(NetSocket socket, int connection) {
        Connection c = new Connection(socket, connection);
        PacketDecoder decoder = new PacketDecoder();
        socket.handler(chunk -> decoder.feed(chunk, (seq, buf, off, len) -> c.onPacket(buf.getBuffer(off, off + len))));
        byte[] nonce = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        socket.write(Packets.frame(0, new HandshakeV10("8.0.36-scripted", connection, nonce, CAPABILITIES,
                MySqlMessages.CHARSET, STATUS, "mysql_native_password", 0).encode()));
    }

    private final class Connection {
        private final NetSocket socket;
        private final int id;
        private final Map<Long, String> statements = new HashMap<>();
        private long nextStatement = 1;
        private long lastPrepared = -1;
        private String schema = InProcessVeil.DATABASE;
        private boolean loggedIn;
        private boolean deprecateEof;
        private boolean sessionTrack;
        private boolean gone;

        Connection(NetSocket socket, int id) {
            this.socket = socket;
            this.id = id;
        }

        void onPacket(Buffer payload) {
            if (!loggedIn) {
                HandshakeResponse41 login = HandshakeResponse41.decode(payload);
                log(id, "Login user=" + login.user() + " database=" + login.database());
                loggedIn = true;
                deprecateEof = Capabilities.has(login.capabilities(), Capabilities.DEPRECATE_EOF);
                sessionTrack = Capabilities.has(login.capabilities(), Capabilities.SESSION_TRACK);
                socket.write(Packets.frame(2, ok()));
                return;
            }
            int command = payload.getUnsignedByte(0);
            String text = payload.getString(1, payload.length(), StandardCharsets.UTF_8.name());
            if (gone) {
                // Past a lost or silent answer: nothing is answered any more, but what arrives is still seen.
                log(id, "unanswered " + Command.name(command));
                return;
            }
            switch (command) {
                case Command.COM_QUERY -> {
                    log(id, "COM_QUERY " + text);
                    answer(text, false);
                }
                case Command.COM_STMT_PREPARE -> {
                    log(id, "COM_STMT_PREPARE " + text);
                    long stmt = nextStatement++;
                    statements.put(stmt, text);
                    lastPrepared = stmt;
                    socket.write(Packets.frame(1, MySqlMessages.prepareOk(stmt)));
                }
                case Command.COM_STMT_EXECUTE -> {
                    long stmt = payload.getUnsignedIntLE(1);
                    String sql = statements.get(stmt == MySqlMessages.LAST_PREPARED ? lastPrepared : stmt);
                    log(id, "COM_STMT_EXECUTE " + sql);
                    if (sql == null) {
                        // As the server answers an id it does not know (ER_UNKNOWN_STMT_HANDLER).
                        socket.write(Packets.frame(1, new ErrPacket(1243, "HY000", "Unknown prepared statement handler ("
                                + stmt + ") given to mysqld_stmt_execute").encode()));
                    } else {
                        answer(sql, true);
                    }
                }
                case Command.COM_STMT_CLOSE -> log(id, "COM_STMT_CLOSE");
                case Command.COM_INIT_DB -> {
                    log(id, "COM_INIT_DB " + text);
                    schema = text;
                    socket.write(Packets.frame(1, ok()));
                }
                case Command.COM_RESET_CONNECTION, Command.COM_PING -> {
                    log(id, Command.name(command));
                    socket.write(Packets.frame(1, ok()));
                }
                case Command.COM_QUIT -> {
                    log(id, "COM_QUIT");
                    gone = true;
                    socket.close();
                }
                default -> {
                    log(id, "unexpected " + Command.name(command));
                    socket.write(Packets.frame(1, new ErrPacket(1047, "08S01", "Unknown command").encode()));
                }
            }
        }

        /** Runs a statement: its scripted rows (binary protocol for an execution), or OK. */
        private void answer(String sql, boolean binary) {
            ran(id, sql);
            Answer a = answerFor(sql);
            if (a == null) {
                socket.write(Packets.frame(1, ok()));
                return;
            }
            if (a.error() != null) {
                socket.write(Packets.frame(1, new ErrPacket(a.error().errno(), a.error().sqlState(), a.error().message()).encode()));
                return;
            }
            Buffer out = Buffer.buffer();
            int seq = 1;
            out.appendBuffer(Packets.frame(seq++, MySqlMessages.columnCount(1)));
            out.appendBuffer(Packets.frame(seq++, MySqlMessages.columnDefinition(schema, "v")));
            if (!deprecateEof) {
                out.appendBuffer(Packets.frame(seq++, new EofPacket(0, STATUS).encode()));
            }
            for (String v : a.rows()) {
                Buffer row = binary ? MySqlMessages.binaryRow(List.of(v)) : TextRow.encode(new Buffer[]{Buffer.buffer(v)});
                out.appendBuffer(Packets.frame(seq++, row));
            }
            switch (a.ending()) {
                case COMPLETE -> socket.write(out.appendBuffer(Packets.frame(seq, endOfRows())));
                case LOST -> {
                    gone = true;
                    socket.end(out);
                }
                case SILENT -> {
                    gone = true;
                    socket.write(out);
                }
            }
        }

        private Buffer ok() {
            return new OkPacket(0, 0, STATUS, 0, "").encode(sessionTrack);
        }

        /** EOF, or under CLIENT_DEPRECATE_EOF the OK that replaces it (header 0xFE). */
        private Buffer endOfRows() {
            if (!deprecateEof) {
                return new EofPacket(0, STATUS).encode();
            }
            Buffer ok = ok();
            ok.setByte(0, (byte) EofPacket.HEADER);
            return ok;
        }
    }
}
