package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

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

    /**
     * Bind 'B': portal, statement, parameter format codes, parameter values (length -1 for NULL), result
     * format codes. Values are kept as bytes; {@link #renderedParameters()} shows them for the audit trail.
     */
    public record Bind(String portal, String statementName, short[] formats, byte[][] values) {
        public static Bind decode(PgFrame frame) {
            Buffer body = frame.body();
            int portalEnd = CStrings.indexOfNul(body, 0);
            int stmtEnd = CStrings.indexOfNul(body, portalEnd + 1);
            int pos = stmtEnd + 1;
            int nf = body.getShort(pos) & 0xffff;
            short[] formats = new short[nf];
            pos += 2;
            for (int i = 0; i < nf; i++, pos += 2) {
                formats[i] = body.getShort(pos);
            }
            int np = body.getShort(pos) & 0xffff;
            pos += 2;
            byte[][] values = new byte[np][];
            for (int i = 0; i < np; i++) {
                int len = body.getInt(pos);
                pos += 4;
                if (len >= 0) {
                    values[i] = body.getBytes(pos, pos + len);
                    pos += len;
                }
            }
            return new Bind(CStrings.read(body, 0, portalEnd), CStrings.read(body, portalEnd + 1, stmtEnd), formats, values);
        }

        /** Text values as text, binary ones as {@code \x<hex>}, NULL as null (format codes per the protocol). */
        public List<String> renderedParameters() {
            List<String> out = new ArrayList<>(values.length);
            for (int i = 0; i < values.length; i++) {
                short f = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
                byte[] v = values[i];
                out.add(v == null ? null : f == 0 ? new String(v, StandardCharsets.UTF_8) : "\\x" + HexFormat.of().formatHex(v));
            }
            return out;
        }
    }

    /** Execute 'E': portal name and row limit (0 = all). */
    public record Execute(String portal, int maxRows) {
        public static Execute decode(PgFrame frame) {
            Buffer body = frame.body();
            int nul = CStrings.indexOfNul(body, 0);
            return new Execute(CStrings.read(body, 0, nul), body.getInt(nul + 1));
        }
    }

    /** Close 'C': 'S' for a prepared statement, 'P' for a portal, and its name. */
    public record Close(char kind, String name) {
        public static Close decode(PgFrame frame) {
            Buffer body = frame.body();
            return new Close((char) body.getByte(0), CStrings.read(body, 1, CStrings.indexOfNul(body, 1)));
        }
    }

    /** Terminate 'X'. */
    public static Buffer terminate() {
        return Buffer.buffer(5).appendByte((byte) 'X').appendInt(4);
    }
}
