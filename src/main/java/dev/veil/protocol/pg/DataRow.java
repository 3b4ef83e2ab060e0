package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/**
 * DataRow 'D': Int16 value count, then per value an Int32 length (-1 for NULL) and that many bytes, in the
 * format its column has (RowDescription, or the result formats of Bind).
 * See https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
public final class DataRow {
    public static final char TYPE = 'D';

    private DataRow() {
    }

    /** The values of a DataRow: slices of the frame (not copies), null for NULL. */
    public static Buffer[] values(PgFrame frame) {
        Buffer buf = frame.source();
        int end = frame.end();
        int pos = frame.start() + PgFrame.HEADER;
        check(pos + 2, end);
        Buffer[] values = new Buffer[buf.getUnsignedShort(pos)];
        pos += 2;
        for (int i = 0; i < values.length; i++) {
            check(pos + 4, end);
            int length = buf.getInt(pos);
            pos += 4;
            if (length < -1) {
                throw CStrings.malformed("DataRow value of length " + length);
            }
            if (length >= 0) {
                check(pos + length, end);
                values[i] = buf.slice(pos, pos + length);
                pos += length;
            }
        }
        if (pos != end) {
            throw CStrings.malformed("DataRow has " + (end - pos) + " bytes after its last value");
        }
        return values;
    }

    public static Buffer encode(Buffer[] values) {
        int size = 2;
        for (Buffer v : values) {
            size += 4 + (v == null ? 0 : v.length());
        }
        Buffer frame = BackendMessage.begin(TYPE, size).appendUnsignedShort(values.length);
        for (Buffer v : values) {
            if (v == null) {
                frame.appendInt(-1);
            } else {
                frame.appendInt(v.length()).appendBuffer(v);
            }
        }
        return BackendMessage.finish(frame);
    }

    private static void check(int needed, int end) {
        if (needed > end) {
            throw CStrings.malformed("DataRow ends early");
        }
    }
}
