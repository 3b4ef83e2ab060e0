package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/** ReadyForQuery 'Z' with the transaction status: 'I' idle, 'T' in a transaction, 'E' in a failed transaction. */
public record ReadyForQuery(char status) implements BackendMessage {
    public static final char TYPE = 'Z';
    public static final char IDLE = 'I';
    public static final char IN_TRANSACTION = 'T';
    public static final char FAILED_TRANSACTION = 'E';

    public Buffer encode() {
        return BackendMessage.finish(BackendMessage.begin(TYPE, 1).appendByte((byte) status));
    }

    public static char statusOf(PgFrame frame) {
        return (char) frame.source().getByte(frame.start() + 5);
    }
}
