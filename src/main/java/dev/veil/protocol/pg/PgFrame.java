package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/**
 * One typed protocol message exactly as it arrived: type byte, int32 length (which counts itself), body.
 * It is a window [start, end) on the buffer it arrived in, so consecutive frames can be forwarded as one
 * slice without copying or re-encoding.
 * See https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
 */
public record PgFrame(byte type, Buffer source, int start, int end) {
    public static final int HEADER = 5;

    public static PgFrame of(Buffer bytes) {
        return new PgFrame(bytes.getByte(0), bytes, 0, bytes.length());
    }

    public Buffer bytes() {
        return source.slice(start, end);
    }

    public int length() {
        return end - start;
    }

    public Buffer body() {
        return source.slice(start + HEADER, end);
    }

    public char typeChar() {
        return (char) type;
    }
}
