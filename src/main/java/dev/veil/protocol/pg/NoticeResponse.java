package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/**
 * NoticeResponse 'N': the layout of {@link ErrorResponse}, for a message the client shows without failing the
 * statement (psql prints it at once; pgjdbc keeps it as a SQLWarning). Veil sends one when a statement waits
 * for an approval; 01000 is SQLSTATE's generic warning.
 */
public record NoticeResponse(String sqlState, String message) implements BackendMessage {
    public static final char TYPE = 'N';

    public Buffer encode() {
        Buffer b = BackendMessage.begin(TYPE, 64 + message.length());
        CStrings.append(b.appendByte((byte) 'S'), "NOTICE");
        CStrings.append(b.appendByte((byte) 'V'), "NOTICE");
        CStrings.append(b.appendByte((byte) 'C'), sqlState);
        CStrings.append(b.appendByte((byte) 'M'), message);
        return BackendMessage.finish(b.appendByte((byte) 0));
    }
}
