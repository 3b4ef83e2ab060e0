package dev.veil.protocol.pg;


import java.util.List;

/**
 * FunctionCall 'F', the fast-path interface: a function's pg_proc oid, argument format codes, the arguments
 * (length -1 for NULL) and the result's format code. No SQL: libpq's and pgjdbc's large-object calls use it, and
 * it can call any function the role may execute.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-FUNCTION-CALL
 */
public record FunctionCall(long functionOid, short[] formats, byte[][] arguments, short resultFormat) {
    public static FunctionCall decode(PgFrame frame) {
        MessageReader in = new MessageReader("FunctionCall", frame);
        long oid = in.int32("function oid") & 0xffffffffL;
        int formatCount = in.uint16("argument format code count");
        in.holds(formatCount, 2, "argument format codes");
        short[] formats = new short[formatCount];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = in.int16("argument format code " + (i + 1));
        }
        int argumentCount = in.uint16("argument count");
        in.holds(argumentCount, 4, "arguments");
        if (formats.length > 1 && formats.length != argumentCount) {
            throw in.malformed(formats.length + " argument format codes for " + argumentCount + " arguments");
        }
        byte[][] arguments = new byte[argumentCount][];
        for (int i = 0; i < arguments.length; i++) {
            int length = in.int32("length of argument " + (i + 1));
            if (length < -1) {
                throw in.malformed("argument " + (i + 1) + " has length " + length);
            }
            arguments[i] = length == -1 ? null : in.bytes(length, "argument " + (i + 1));
        }
        short result = in.int16("result format code");
        in.end();
        return new FunctionCall(oid, formats, arguments, result);
    }

    /** Text arguments as text, binary ones as {@code \x<hex>}, NULL as null (format codes as for Bind). */
    public List<String> renderedArguments() {
        return ValueFormats.render(formats, arguments);
    }
}
