package dev.veil.conversation;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL messages Veil's own code never encodes (it relays them), written here for both ends of a scripted
 * conversation: the client's extended-query messages and the server's result messages.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
final class PgMessages {
    /** Type OID of text. */
    private static final int TEXT = 25;

    private PgMessages() {
    }

    // ---- client to server ------------------------------------------------------------------------------

    /** Parse 'P': statement name, text, no parameter types. */
    static Buffer parse(String statement, String sql) {
        return frame('P', cstring(cstring(Buffer.buffer(), statement), sql).appendShort((short) 0));
    }

    /** Bind 'B': portal, statement, no parameters, text results. */
    static Buffer bind(String portal, String statement) {
        return frame('B', cstring(cstring(Buffer.buffer(), portal), statement).appendShort((short) 0)
                .appendShort((short) 0).appendShort((short) 0));
    }

    /** Execute 'E': portal, every row. */
    static Buffer execute(String portal) {
        return frame('E', cstring(Buffer.buffer(), portal).appendInt(0));
    }

    static Buffer sync() {
        return frame('S', Buffer.buffer());
    }

    // ---- server to client ------------------------------------------------------------------------------

    /** RowDescription 'T' of one text column. */
    static Buffer rowDescription(String column) {
        return rowDescription(column, 0);
    }

    /** One text column in format {@code format} (0 text, 1 binary: the same bytes for text). */
    static Buffer rowDescription(String column, int format) {
        return frame('T', cstring(Buffer.buffer().appendShort((short) 1), column).appendInt(0).appendShort((short) 0)
                .appendInt(TEXT).appendShort((short) -1).appendInt(-1).appendShort((short) format));
    }

    /** Describe of a portal, or of a statement ({@code 'S'}). */
    static Buffer describe(char kind, String name) {
        return frame('D', cstring(Buffer.buffer().appendByte((byte) kind), name));
    }

    /** Execute with a row limit. */
    static Buffer execute(String portal, int maxRows) {
        return frame('E', cstring(Buffer.buffer(), portal).appendInt(maxRows));
    }

    /** Bind of the statement with one result format code for all columns. */
    static Buffer bind(String portal, String statement, int resultFormat) {
        return frame('B', cstring(cstring(Buffer.buffer(), portal), statement).appendShort((short) 0).appendShort((short) 0)
                .appendShort((short) 1).appendShort((short) resultFormat));
    }

    static Buffer noParameters() {
        return frame('t', Buffer.buffer().appendShort((short) 0));
    }

    static Buffer portalSuspended() {
        return frame('s', Buffer.buffer());
    }

    /** An ErrorResponse with a DETAIL when {@code detail} is not null. */
    static Buffer error(String sqlState, String message, String detail) {
        Buffer b = Buffer.buffer();
        cstring(b.appendByte((byte) 'S'), "ERROR");
        cstring(b.appendByte((byte) 'C'), sqlState);
        cstring(b.appendByte((byte) 'M'), message);
        if (detail != null) {
            cstring(b.appendByte((byte) 'D'), detail);
        }
        return frame('E', b.appendByte((byte) 0));
    }

    static Buffer commandComplete(String tag) {
        return frame('C', cstring(Buffer.buffer(), tag));
    }

    static Buffer parseComplete() {
        return frame('1', Buffer.buffer());
    }

    static Buffer bindComplete() {
        return frame('2', Buffer.buffer());
    }

    static Buffer closeComplete() {
        return frame('3', Buffer.buffer());
    }

    static Buffer noData() {
        return frame('n', Buffer.buffer());
    }

    static Buffer emptyQueryResponse() {
        return frame('I', Buffer.buffer());
    }

    private static Buffer cstring(Buffer b, String s) {
        return b.appendBytes(s.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }

    private static Buffer frame(char type, Buffer body) {
        return Buffer.buffer(5 + body.length()).appendByte((byte) type).appendInt(4 + body.length()).appendBuffer(body);
    }
}
