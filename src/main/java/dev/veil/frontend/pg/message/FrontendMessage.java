package dev.veil.frontend.pg.message;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Typed frontend messages Veil reads (authentication, the statement text) or writes to its upstreams.
 * Their wire layouts: https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
public final class FrontendMessage {
    private FrontendMessage() {
    }

    /** Every frontend type byte the protocol defines after startup; anything else is a protocol violation. */
    public static boolean isKnownType(byte t) {
        return switch (t) {
            case 'B', 'C', 'd', 'c', 'f', 'D', 'E', 'H', 'F', 'P', 'p', 'Q', 'S', 'X' -> true;
            default -> false;
        };
    }

    /** PasswordMessage 'p' (cleartext or md5 answer). */
    public record PasswordMessage(String password) {
        public Buffer encode() {
            return BackendMessage.finish(CStrings.append(BackendMessage.begin('p', password.length() + 1), password));
        }

        public static PasswordMessage decode(PgFrame frame) {
            Buffer body = frame.body();
            int nul = CStrings.indexOfNul(body, 0);
            return new PasswordMessage(CStrings.read(body, 0, nul));
        }
    }

    /** SASLInitialResponse 'p': mechanism name, int32 length of the data (-1 for none), data. */
    public record SASLInitialResponse(String mechanism, byte[] data) {
        public Buffer encode() {
            Buffer b = CStrings.append(BackendMessage.begin('p', 64), mechanism);
            if (data == null) {
                b.appendInt(-1);
            } else {
                b.appendInt(data.length).appendBytes(data);
            }
            return BackendMessage.finish(b);
        }

        public static SASLInitialResponse decode(PgFrame frame) {
            Buffer body = frame.body();
            int nul = CStrings.indexOfNul(body, 0);
            String mech = CStrings.read(body, 0, nul);
            if (body.length() < nul + 5) {
                throw CStrings.malformed("SASLInitialResponse too short");
            }
            int len = body.getInt(nul + 1);
            if (len < -1 || nul + 5 + Math.max(len, 0) != body.length()) {
                throw CStrings.malformed("SASLInitialResponse data length " + len + " does not match the message");
            }
            return new SASLInitialResponse(mech, len < 0 ? null : body.getBytes(nul + 5, nul + 5 + len));
        }
    }

    /** SASLResponse 'p': the rest of the message is mechanism data. */
    public record SASLResponse(byte[] data) {
        public Buffer encode() {
            return BackendMessage.finish(BackendMessage.begin('p', data.length).appendBytes(data));
        }

        public static SASLResponse decode(PgFrame frame) {
            return new SASLResponse(frame.body().getBytes());
        }
    }

    /** Query 'Q': one string, possibly holding several statements. */
    public record Query(String sql) {
        public Buffer encode() {
            byte[] text = sql.getBytes(StandardCharsets.UTF_8);
            return BackendMessage.finish(BackendMessage.begin('Q', text.length + 1).appendBytes(text).appendByte((byte) 0));
        }

        public static Query decode(PgFrame frame) {
            Buffer body = frame.body();
            return new Query(CStrings.read(body, 0, CStrings.indexOfNul(body, 0)));
        }
    }

    /** Parse 'P': statement name, query text, parameter type OIDs. */
    public record Parse(String statementName, String sql, int[] parameterTypes) {
        public static Parse decode(PgFrame frame) {
            Buffer body = frame.body();
            int nameEnd = CStrings.indexOfNul(body, 0);
            int sqlEnd = CStrings.indexOfNul(body, nameEnd + 1);
            int pos = sqlEnd + 1;
            int n = body.getShort(pos) & 0xffff;
            int[] types = new int[n];
            for (int i = 0; i < n; i++) {
                types[i] = body.getInt(pos + 2 + 4 * i);
            }
            return new Parse(CStrings.read(body, 0, nameEnd), CStrings.read(body, nameEnd + 1, sqlEnd), types);
        }
    }

    /** Terminate 'X'. */
    public static Buffer terminate() {
        return Buffer.buffer(5).appendByte((byte) 'X').appendInt(4);
    }
}
