package dev.veil.frontend.pg;

import dev.veil.protocol.pg.PgFrame;
import dev.veil.upstream.PgServerConnection;
import dev.veil.upstream.ServerStatements;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A session's named prepared statements under transaction pooling (PgBouncer 1.21+ semantics): the session
 * may run each transaction on another server connection, so Veil keeps every named Parse the client sent and
 * prepares it on the connection in use when a Bind or Describe names it and that connection has not prepared
 * it yet. On the server a statement is named after its text and parameter types ({@code veil_} and 32 hex
 * digits of their SHA-256), never after the client's name: two clients' "S_1" never collide, and clients that
 * prepare the same text share one server statement per connection. A client's Close of a statement forgets
 * its name only: other sessions may use the server statement. {@link ServerStatements} turns the answers the
 * client must not see (or must see as something else) back into what it expects. Unnamed statements go as sent:
 * they live within the Sync cycle or transaction that holds the connection. Confined to the session's event loop.
 */
final class PgStatementNames {
    /** A statement name no server connection has: Close of it is answered CloseComplete, as any Close. */
    private static final String NO_STATEMENT = "veil_none";
    /** Server statement names are this prefix and 32 hex digits: a client name that looks like one is never passed on. */
    private static final String SERVER_PREFIX = "veil_";

    /** A client's statement: its server name and the Parse that prepares it under that name. */
    private record Prepared(String serverName, Buffer parse) {
    }

    private final Map<String, Prepared> byClientName = new HashMap<>();

    /** Sends {@code frame} on {@code server} through {@code send}, renamed, with a Parse before it when needed. */
    void forward(PgFrame frame, PgServerConnection server, Consumer<PgFrame> send) {
        switch (frame.typeChar()) {
            case 'P' -> parse(frame, server, send);
            case 'B' -> {
                int portalEnd = nul(frame, PgFrame.HEADER);
                renamed(frame, portalEnd + 1, server, send);
            }
            case 'D' -> {
                if (frame.length() > PgFrame.HEADER && frame.source().getByte(frame.start() + PgFrame.HEADER) == 'S') {
                    renamed(frame, PgFrame.HEADER + 1, server, send);
                } else {
                    send.accept(frame);
                }
            }
            case 'C' -> close(frame, server, send);
            default -> send.accept(frame);
        }
    }

    private void parse(PgFrame frame, PgServerConnection server, Consumer<PgFrame> send) {
        ServerStatements statements = server.statements();
        int nameEnd = nul(frame, PgFrame.HEADER);
        String name = text(frame, PgFrame.HEADER, nameEnd);
        if (name.isEmpty()) {
            statements.parseSent(null, false);
            send.accept(frame);
            return;
        }
        Buffer rest = frame.source().slice(frame.start() + nameEnd + 1, frame.end());
        String serverName = SERVER_PREFIX + digest(rest);
        Buffer parse = message('P', serverName, rest);
        byClientName.put(name, new Prepared(serverName, parse));
        if (statements.has(serverName)) {
            // Already prepared here (by this client in an earlier transaction, or by another one): the client
            // still expects a ParseComplete, in order.
            statements.closeSent(true);
            send.accept(PgFrame.of(closeOf(NO_STATEMENT)));
        } else {
            statements.parseSent(serverName, false);
            send.accept(PgFrame.of(parse.copy()));
        }
    }

    /** Bind or Describe naming a statement at {@code nameAt} (from the frame's start): prepared first if need be. */
    private void renamed(PgFrame frame, int nameAt, PgServerConnection server, Consumer<PgFrame> send) {
        int nameEnd = nul(frame, nameAt);
        String name = text(frame, nameAt, nameEnd);
        if (name.isEmpty() || nameEnd >= frame.length()) {
            send.accept(frame);
            return;
        }
        Prepared p = byClientName.get(name);
        String serverName;
        if (p != null) {
            serverName = p.serverName();
            if (!server.statements().has(serverName)) {
                server.statements().parseSent(serverName, true);
                send.accept(PgFrame.of(p.parse().copy()));
            }
        } else {
            // Not prepared by this session: the server says so ("prepared statement … does not exist"), and
            // another session's statement is never reached under a guessed name.
            serverName = name.startsWith(SERVER_PREFIX) ? "unprepared " + name : name;
        }
        Buffer source = frame.source();
        Buffer body = Buffer.buffer(frame.length() + 40)
                .appendBuffer(source, frame.start() + PgFrame.HEADER, nameAt - PgFrame.HEADER)
                .appendBytes(serverName.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0)
                .appendBuffer(source, frame.start() + nameEnd + 1, frame.end() - frame.start() - nameEnd - 1);
        send.accept(PgFrame.of(framed(frame.type(), body)));
    }

    private void close(PgFrame frame, PgServerConnection server, Consumer<PgFrame> send) {
        server.statements().closeSent(false);
        byte kind = frame.length() > PgFrame.HEADER ? frame.source().getByte(frame.start() + PgFrame.HEADER) : 0;
        if (kind != 'S') {
            send.accept(frame);
            return;
        }
        String name = text(frame, PgFrame.HEADER + 1, nul(frame, PgFrame.HEADER + 1));
        if (name.isEmpty()) {
            send.accept(frame);
            return;
        }
        // The server statement may serve other sessions on that connection: only the client's name goes.
        byClientName.remove(name);
        send.accept(PgFrame.of(closeOf(NO_STATEMENT)));
    }

    int size() {
        return byClientName.size();
    }

    private static Buffer closeOf(String name) {
        return framed((byte) 'C', Buffer.buffer().appendByte((byte) 'S').appendString(name).appendByte((byte) 0));
    }

    private static Buffer message(char type, String name, Buffer rest) {
        Buffer body = Buffer.buffer(name.length() + 1 + rest.length())
                .appendBytes(name.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0).appendBuffer(rest);
        return framed((byte) type, body);
    }

    private static Buffer framed(byte type, Buffer body) {
        return Buffer.buffer(PgFrame.HEADER + body.length()).appendByte(type).appendInt(4 + body.length()).appendBuffer(body);
    }

    /** Offset (from the frame's start) of the NUL ending the string at {@code from}; the frame's end if none. */
    private static int nul(PgFrame frame, int from) {
        Buffer b = frame.source();
        for (int i = frame.start() + from; i < frame.end(); i++) {
            if (b.getByte(i) == 0) {
                return i - frame.start();
            }
        }
        return frame.length();
    }

    private static String text(PgFrame frame, int from, int to) {
        return to <= from ? "" : frame.source().getString(frame.start() + from, frame.start() + to, "UTF-8");
    }

    private static String digest(Buffer textAndTypes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(textAndTypes.getBytes());
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
