package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;

/**
 * Reads the fields of one client message in order, checking each against the bytes the message really has. A
 * field that runs past the end, a count the remaining bytes cannot hold, or bytes left after the last field is a
 * protocol violation, as the server treats it: FATAL 08P01 naming the message and the field, never an index
 * error. Nothing is allocated for a count before the bytes it needs are known to be there.
 */
final class MessageReader {
    private final String message;
    private final Buffer body;
    private int pos;

    /** @param message the message's name as the protocol documentation gives it (Bind, Parse, …) */
    MessageReader(String message, PgFrame frame) {
        this.message = message;
        this.body = frame.body();
    }

    String cstring(String field) {
        for (int i = pos; i < body.length(); i++) {
            if (body.getByte(i) == 0) {
                String s = CStrings.read(body, pos, i);
                pos = i + 1;
                return s;
            }
        }
        throw malformed(field + " runs past the end of the message (no terminating zero byte)");
    }

    byte int8(String field) {
        need(1, field);
        return body.getByte(pos++);
    }

    /** An Int16 count or code, unsigned as the server reads it. */
    int uint16(String field) {
        need(2, field);
        int v = body.getUnsignedShort(pos);
        pos += 2;
        return v;
    }

    short int16(String field) {
        need(2, field);
        short v = body.getShort(pos);
        pos += 2;
        return v;
    }

    int int32(String field) {
        need(4, field);
        int v = body.getInt(pos);
        pos += 4;
        return v;
    }

    byte[] bytes(int n, String field) {
        need(n, field);
        byte[] b = body.getBytes(pos, pos + n);
        pos += n;
        return b;
    }

    /** Fails unless {@code count} fields of {@code size} bytes each can still be read. */
    void holds(int count, int size, String fields) {
        if ((long) count * size > remaining()) {
            throw malformed("it declares " + count + " " + fields + " but only " + remaining() + " bytes follow");
        }
    }

    /** The last field has been read: nothing may follow it. */
    void end() {
        if (pos != body.length()) {
            throw malformed((body.length() - pos) + " bytes follow its last field");
        }
    }

    int remaining() {
        return body.length() - pos;
    }

    VeilException malformed(String what) {
        return VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "invalid " + message + " message: " + what);
    }

    private void need(int n, String field) {
        if (n > remaining()) {
            throw malformed(field + " runs past the end of the message (" + n + " bytes needed, " + remaining() + " left)");
        }
    }
}
