package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * FunctionCall 'F', the fast-path interface: a function's pg_proc oid, argument format codes, the arguments
 * (length -1 for NULL) and the result's format code. No SQL: libpq's and pgjdbc's large-object calls use it, and
 * it can call any function the role may execute.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-FUNCTION-CALL
 */
public record FunctionCall(long functionOid, short[] formats, byte[][] arguments, short resultFormat) {
    public static FunctionCall decode(PgFrame frame) {
        Buffer body = frame.body();
        Reader in = new Reader(body);
        long oid = in.int32() & 0xffffffffL;
        short[] formats = new short[in.count("argument format codes")];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = in.int16();
        }
        byte[][] arguments = new byte[in.count("arguments")][];
        if (formats.length > 1 && formats.length != arguments.length) {
            throw malformed(formats.length + " argument format codes for " + arguments.length + " arguments");
        }
        for (int i = 0; i < arguments.length; i++) {
            int length = in.int32();
            if (length < -1) {
                throw malformed("argument " + (i + 1) + " has length " + length);
            }
            arguments[i] = length == -1 ? null : in.bytes(length, i + 1);
        }
        short result = in.int16();
        if (in.pos != body.length()) {
            throw malformed((body.length() - in.pos) + " bytes after the result format code");
        }
        return new FunctionCall(oid, formats, arguments, result);
    }

    /** Text arguments as text, binary ones as {@code \x<hex>}, NULL as null (format codes as for Bind). */
    public List<String> renderedArguments() {
        List<String> out = new ArrayList<>(arguments.length);
        for (int i = 0; i < arguments.length; i++) {
            short f = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
            byte[] v = arguments[i];
            out.add(v == null ? null : f == 0 ? new String(v, StandardCharsets.UTF_8) : "\\x" + HexFormat.of().formatHex(v));
        }
        return out;
    }

    private static VeilException malformed(String what) {
        return VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "malformed FunctionCall message: " + what);
    }

    /** Reads the body front to back, refusing any field that runs past its end. */
    private static final class Reader {
        private final Buffer body;
        private int pos;

        Reader(Buffer body) {
            this.body = body;
        }

        int int32() {
            need(4, "a 4-byte field");
            int v = body.getInt(pos);
            pos += 4;
            return v;
        }

        short int16() {
            need(2, "a 2-byte field");
            short v = body.getShort(pos);
            pos += 2;
            return v;
        }

        int count(String what) {
            int n = int16() & 0xffff;
            // Each item takes at least two bytes: a count the message cannot hold is refused before allocating.
            if (n * 2L > body.length() - pos) {
                throw malformed(n + " " + what + " announced, but only " + (body.length() - pos) + " bytes follow");
            }
            return n;
        }

        byte[] bytes(int length, int argument) {
            if (length > body.length() - pos) {
                throw malformed("argument " + argument + " of " + length + " bytes runs past the end of the message");
            }
            byte[] v = body.getBytes(pos, pos + length);
            pos += length;
            return v;
        }

        private void need(int n, String what) {
            if (body.length() - pos < n) {
                throw malformed("it ends where " + what + " should be, at byte " + pos);
            }
        }
    }
}
