package dev.veil.conversation;

import dev.veil.analysis.Dialect;
import dev.veil.protocol.pg.Authentication;
import dev.veil.protocol.pg.BackendKeyData;
import dev.veil.protocol.pg.DataRow;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.ParameterStatus;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.PgFrameDecoder;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.protocol.pg.SSLRequest;
import dev.veil.protocol.pg.StartupMessage;
import dev.veil.protocol.pg.StartupPacket;
import dev.veil.protocol.pg.StartupPacketDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server side of the PostgreSQL protocol, as far as Veil uses it: trust authentication (AuthenticationOk at
 * once), the parameters and key a server announces, simple queries, and the extended protocol (Parse, Bind,
 * Execute, Sync, Close) with statements and portals by name; BEGIN, COMMIT and ROLLBACK move the transaction
 * status ReadyForQuery reports. Logged per connection: "Startup user=…",
 * "Query …", "Parse …", "Bind …", "Execute …", "Sync", "Close", "Terminate".
 */
final class ScriptedPgServer extends ScriptedUpstream {
    ScriptedPgServer(Vertx vertx) {
        super(vertx);
    }

    @Override
    Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    String name() {
        return "pg";
    }

    @Override
    void serve(NetSocket socket, int connection) {
        Connection c = new Connection(socket, connection);
        socket.handler(c::onData);
    }

    private final class Connection {
        private final NetSocket socket;
        private final int id;
        private final StartupPacketDecoder startup = new StartupPacketDecoder();
        private final PgFrameDecoder frames = new PgFrameDecoder(Integer.MAX_VALUE);
        private final Map<String, String> statements = new HashMap<>();
        private final Map<String, String> portals = new HashMap<>();
        private final Map<String, Short> portalFormats = new HashMap<>();
        /** Rows of a portal already sent by Executes with a row limit. */
        private final Map<String, Integer> portalSent = new HashMap<>();
        private boolean started;
        private boolean gone;
        /** The transaction status ReadyForQuery reports: in a transaction from BEGIN to COMMIT / ROLLBACK. */
        private char status = ReadyForQuery.IDLE;

        Connection(NetSocket socket, int id) {
            this.socket = socket;
            this.id = id;
        }

        void onData(Buffer chunk) {
            if (started) {
                frames.feed(chunk, this::onFrame);
                return;
            }
            StartupPacket packet = startup.feed(chunk);
            if (packet == null) {
                return;
            }
            Buffer rest = startup.leftover();
            if (packet instanceof SSLRequest) {
                socket.write(Buffer.buffer(new byte[]{'N'}));
            } else if (packet instanceof StartupMessage m) {
                log(id, "Startup user=" + m.user() + " database=" + m.database());
                started = true;
                socket.write(Buffer.buffer()
                        .appendBuffer(new Authentication.AuthenticationOk().encode())
                        .appendBuffer(new ParameterStatus("server_version", "16.4").encode())
                        .appendBuffer(new ParameterStatus("client_encoding", "UTF8").encode())
                        .appendBuffer(new BackendKeyData(1000 + id, 42).encode())
                        .appendBuffer(new ReadyForQuery(ReadyForQuery.IDLE).encode()));
            }
            if (rest.length() > 0) {
                onData(rest);
            }
        }

        private void onFrame(PgFrame frame) {
            if (gone) {
                // Past a lost or silent answer: nothing is answered any more, but what arrives is still seen.
                log(id, frame.typeChar() == 'X' ? "Terminate" : "unanswered " + frame.typeChar());
                return;
            }
            switch (frame.typeChar()) {
                case 'Q' -> {
                    String sql = FrontendMessage.Query.decode(frame).sql();
                    log(id, "Query " + sql);
                    if (sql.isEmpty()) {
                        write(PgMessages.emptyQueryResponse());
                    } else {
                        answer(sql, true);
                    }
                    if (!gone) {
                        write(new ReadyForQuery(status).encode());
                    }
                }
                case 'P' -> {
                    FrontendMessage.Parse p = FrontendMessage.Parse.decode(frame);
                    log(id, "Parse " + p.sql());
                    statements.put(p.statementName(), p.sql());
                    write(PgMessages.parseComplete());
                }
                case 'B' -> {
                    FrontendMessage.Bind b = FrontendMessage.Bind.decode(frame);
                    log(id, "Bind " + statements.get(b.statementName()));
                    portals.put(b.portal(), statements.get(b.statementName()));
                    portalFormats.put(b.portal(), b.resultFormats().length == 0 ? 0 : b.resultFormats()[0]);
                    portalSent.remove(b.portal());
                    write(PgMessages.bindComplete());
                }
                case 'E' -> {
                    FrontendMessage.Execute e = FrontendMessage.Execute.decode(frame);
                    String sql = portals.get(e.portal());
                    log(id, "Execute " + sql);
                    // A row limit holds back rows of a query only; a write runs whole and reports its own tag, as
                    // pgjdbc's executeUpdate (which sends a limit of 1) expects.
                    if (e.maxRows() > 0 && rowsTag(sql).equals("SELECT")) {
                        answerPart(e.portal(), sql, e.maxRows());
                    } else {
                        answer(sql, false);
                    }
                }
                case 'S' -> {
                    log(id, "Sync");
                    write(new ReadyForQuery(status).encode());
                }
                case 'D' -> {
                    log(id, "Describe");
                    describe(frame);
                }
                case 'C' -> {
                    log(id, "Close");
                    write(PgMessages.closeComplete());
                }
                case 'H' -> log(id, "Flush");
                case 'X' -> {
                    log(id, "Terminate");
                    gone = true;
                    socket.close();
                }
                default -> log(id, "unexpected " + frame.typeChar());
            }
        }

        /** Runs a statement: its scripted rows (a RowDescription first for a simple query), or done with none. */
        private void answer(String sql, boolean simple) {
            ran(id, sql);
            Answer a = answerFor(sql);
            if (a == null) {
                String tag = tag(sql);
                if (tag.equals("BEGIN")) {
                    status = ReadyForQuery.IN_TRANSACTION;
                } else if ((tag.equals("COMMIT") || tag.equals("ROLLBACK")) && !sql.toUpperCase(Locale.ROOT).contains(" TO ")) {
                    status = ReadyForQuery.IDLE;
                }
                write(PgMessages.commandComplete(tag));
                return;
            }
            if (a.error() != null) {
                write(PgMessages.error(a.error().sqlState(), a.error().message(), a.error().detail()));
                return;
            }
            Buffer out = Buffer.buffer();
            if (simple) {
                out.appendBuffer(PgMessages.rowDescription("v"));
            }
            for (String v : a.rows()) {
                out.appendBuffer(DataRow.encode(new Buffer[]{Buffer.buffer(v)}));
            }
            switch (a.ending()) {
                case COMPLETE -> write(out.appendBuffer(PgMessages.commandComplete(rowsTag(sql) + " " + a.rows().size())));
                case LOST -> {
                    gone = true;
                    socket.end(out);
                }
                case SILENT -> {
                    gone = true; // nothing more is answered on this connection
                    write(out);
                }
            }
        }

        /** A Describe: the column of a statement whose answer is described, else NoData. */
        private void describe(PgFrame frame) {
            Buffer body = frame.body();
            char kind = (char) body.getByte(0);
            String name = body.getString(1, body.length() - 1, "UTF-8");
            String sql = kind == 'S' ? statements.get(name) : portals.get(name);
            Answer a = sql == null ? null : answerFor(sql);
            if (a == null || !a.describes()) {
                write(kind == 'S' ? PgMessages.noParameters().appendBuffer(PgMessages.noData()) : PgMessages.noData());
                return;
            }
            write(kind == 'S' ? PgMessages.noParameters().appendBuffer(PgMessages.rowDescription("v", 0))
                    : PgMessages.rowDescription("v", portalFormats.getOrDefault(name, (short) 0)));
        }

        /** An Execute with a row limit: the next rows of the portal, then PortalSuspended while more are left. */
        private void answerPart(String portal, String sql, int maxRows) {
            Answer a = answerFor(sql);
            int from = portalSent.getOrDefault(portal, 0);
            if (from == 0) {
                ran(id, sql);
            }
            List<String> rows = a == null ? List.of() : a.rows();
            int to = Math.min(rows.size(), from + maxRows);
            Buffer out = Buffer.buffer();
            for (String v : rows.subList(from, to)) {
                out.appendBuffer(DataRow.encode(new Buffer[]{Buffer.buffer(v)}));
            }
            if (to < rows.size()) {
                portalSent.put(portal, to);
                write(out.appendBuffer(PgMessages.portalSuspended()));
            } else {
                portalSent.remove(portal);
                write(out.appendBuffer(PgMessages.commandComplete("SELECT " + (to - from))));
            }
        }

        private void write(Buffer b) {
            socket.write(b);
        }
    }

    /** The tag's command for a statement answered with rows: an UPDATE / DELETE … RETURNING reports the rows it changed. */
    private static String rowsTag(String sql) {
        String word = tag(sql);
        return word.equals("UPDATE") || word.equals("DELETE") ? word : "SELECT";
    }

    /** The command tag a server reports for a statement without a result (its first word, or both of DISCARD ALL). */
    private static String tag(String sql) {
        String upper = sql.trim().toUpperCase(Locale.ROOT);
        if (upper.startsWith("DISCARD")) {
            return "DISCARD ALL";
        }
        int sp = upper.indexOf(' ');
        return sp < 0 ? upper : upper.substring(0, sp);
    }
}
