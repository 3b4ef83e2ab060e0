package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** NUL-terminated strings as the protocol uses them; a missing terminator is a protocol violation. */
final class CStrings {
    private CStrings() {
    }

    static int indexOfNul(Buffer buf, int from) {
        for (int i = from; i < buf.length(); i++) {
            if (buf.getByte(i) == 0) {
                return i;
            }
        }
        throw malformed("missing string terminator");
    }

    static String read(Buffer buf, int from, int nul) {
        return buf.getString(from, nul, "UTF-8");
    }

    static Buffer append(Buffer buf, String s) {
        return buf.appendBytes(s.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }

    static VeilException malformed(String what) {
        return VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "invalid message format: " + what);
    }
}
