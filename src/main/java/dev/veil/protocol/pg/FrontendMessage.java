package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
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
            MessageReader in = new MessageReader("PasswordMessage", frame);
            String password = in.cstring("the password");
            in.end();
            return new PasswordMessage(password);
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
            MessageReader in = new MessageReader("SASLInitialResponse", frame);
            String mech = in.cstring("the mechanism name");
            int len = in.int32("the length of the data");
            if (len < -1 || Math.max(len, 0) != in.remaining()) {
                throw in.malformed("data length " + len + " does not match the " + in.remaining() + " bytes that follow");
            }
            return new SASLInitialResponse(mech, len < 0 ? null : in.bytes(len, "the data"));
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
            MessageReader in = new MessageReader("Query", frame);
            String sql = in.cstring("the query string");
            in.end();
            return new Query(sql);
        }
    }

    /** Parse 'P': statement name, query text, parameter type OIDs. */
    public record Parse(String statementName, String sql, int[] parameterTypes) {
        public static Parse decode(PgFrame frame) {
            MessageReader in = new MessageReader("Parse", frame);
            String name = in.cstring("the statement name");
            String sql = in.cstring("the query string");
            int n = in.uint16("the number of parameter types");
            in.holds(n, 4, "parameter types");
            int[] types = new int[n];
            for (int i = 0; i < n; i++) {
                types[i] = in.int32("parameter type " + (i + 1));
            }
            in.end();
            return new Parse(name, sql, types);
        }
    }

    /**
     * Bind 'B': portal, statement, parameter format codes, parameter values (length -1 for NULL), result
     * format codes. Values are kept as bytes; {@link #renderedParameters()} shows them for the audit trail.
     * {@code resultFormats}: none (all text), one (for all columns) or one per result column.
     */
    public record Bind(String portal, String statementName, short[] formats, byte[][] values, short[] resultFormats) {
        public Bind(String portal, String statementName, short[] formats, byte[][] values) {
            this(portal, statementName, formats, values, new short[0]);
        }

        public static Bind decode(PgFrame frame) {
            MessageReader in = new MessageReader("Bind", frame);
            String portal = in.cstring("the portal name");
            String statement = in.cstring("the statement name");
            int nf = in.uint16("the number of parameter format codes");
            in.holds(nf, 2, "parameter format codes");
            short[] formats = new short[nf];
            for (int i = 0; i < nf; i++) {
                formats[i] = in.int16("parameter format code " + (i + 1));
            }
            int np = in.uint16("the number of parameter values");
            if (nf > 1 && nf != np) {
                // As the server words it: one code for all parameters, or one per parameter.
                throw in.malformed("it has " + nf + " parameter format codes but " + np + " parameters");
            }
            in.holds(np, 4, "parameter values");
            byte[][] values = new byte[np][];
            for (int i = 0; i < np; i++) {
                if (in.remaining() < 4) {
                    throw in.malformed("parameter count " + np + " but only " + i + " values");
                }
                int len = in.int32("the length of parameter " + (i + 1));
                if (len < -1) {
                    throw in.malformed("parameter " + (i + 1) + " has length " + len + " (only -1, for NULL, may be negative)");
                }
                if (len > in.remaining()) {
                    throw in.malformed("parameter " + (i + 1) + " of " + np + " declares " + len
                            + " bytes, which run past the end of the message (" + in.remaining() + " bytes left)");
                }
                if (len >= 0) {
                    values[i] = in.bytes(len, "parameter " + (i + 1));
                }
            }
            int nr = in.uint16("the number of result format codes");
            in.holds(nr, 2, "result format codes");
            short[] resultFormats = new short[nr];
            for (int i = 0; i < nr; i++) {
                resultFormats[i] = in.int16("result format code " + (i + 1));
            }
            in.end();
            return new Bind(portal, statement, formats, values, resultFormats);
        }

        /** Text values as text, binary ones as {@code \x<hex>}, NULL as null (format codes per the protocol). */
        public List<String> renderedParameters() {
            return ValueFormats.render(formats, values);
        }
    }

    /** Execute 'E': portal name and row limit (0 = all). */
    public record Execute(String portal, int maxRows) {
        public static Execute decode(PgFrame frame) {
            MessageReader in = new MessageReader("Execute", frame);
            String portal = in.cstring("the portal name");
            int maxRows = in.int32("the row limit");
            in.end();
            return new Execute(portal, maxRows);
        }
    }

    /** Close 'C': 'S' for a prepared statement, 'P' for a portal, and its name. */
    public record Close(char kind, String name) {
        public static Close decode(PgFrame frame) {
            MessageReader in = new MessageReader("Close", frame);
            char kind = (char) in.int8("what to close");
            if (kind != 'S' && kind != 'P') {
                throw in.malformed("it closes '" + PgFrameDecoder.printable((byte) kind) + "'; 'S' (a statement) or 'P' (a portal) expected");
            }
            String name = in.cstring("the name");
            in.end();
            return new Close(kind, name);
        }
    }

    /** Terminate 'X'. */
    public static Buffer terminate() {
        return Buffer.buffer(5).appendByte((byte) 'X').appendInt(4);
    }
}
