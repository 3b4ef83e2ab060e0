package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.util.function.IntUnaryOperator;
import java.util.function.ObjIntConsumer;

/**
 * DataRow 'D': Int16 value count, then per value an Int32 length (-1 for NULL) and that many bytes, in the
 * format its column has (RowDescription, or the result formats of Bind).
 * See https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
public final class DataRow {
    public static final char TYPE = 'D';

    private DataRow() {
    }

    /** Where each value of a DataRow lies in its frame: {@code starts[i]} -1 for NULL. */
    public record Positions(Buffer source, int[] starts, int[] lengths) {
    }

    /** The values of a DataRow: slices of the frame (not copies), null for NULL. */
    public static Buffer[] values(PgFrame frame) {
        Positions p = positions(frame);
        Buffer[] values = new Buffer[p.starts().length];
        for (int i = 0; i < values.length; i++) {
            if (p.starts()[i] >= 0) {
                values[i] = p.source().slice(p.starts()[i], p.starts()[i] + p.lengths()[i]);
            }
        }
        return values;
    }

    /** Where the values of a DataRow lie, the frame checked whole; slices nothing (a masked result reads a few). */
    public static Positions positions(PgFrame frame) {
        Buffer buf = frame.source();
        int end = frame.end();
        int pos = frame.start() + PgFrame.HEADER;
        check(pos + 2, end);
        int count = buf.getUnsignedShort(pos);
        int[] starts = new int[count];
        int[] lengths = new int[count];
        pos += 2;
        for (int i = 0; i < count; i++) {
            check(pos + 4, end);
            int length = buf.getInt(pos);
            pos += 4;
            if (length < -1) {
                throw CStrings.malformed("DataRow value of length " + length);
            }
            starts[i] = length < 0 ? -1 : pos;
            lengths[i] = length;
            if (length >= 0) {
                check(pos + length, end);
                pos += length;
            }
        }
        if (pos != end) {
            throw CStrings.malformed("DataRow has " + (end - pos) + " bytes after its last value");
        }
        return new Positions(buf, starts, lengths);
    }

    public static Buffer encode(Buffer[] values) {
        return encode(values.length, i -> values[i] == null ? -1 : values[i].length(), (frame, i) -> {
            if (values[i] != null) {
                frame.appendBuffer(values[i]);
            }
        });
    }

    /**
     * A DataRow of {@code count} values, value {@code i} being {@code length(i)} bytes (-1: NULL) that
     * {@code append} adds to the frame: the caller may copy them from wherever they lie, without a slice each.
     */
    public static Buffer encode(int count, IntUnaryOperator length, ObjIntConsumer<Buffer> append) {
        int size = 2;
        for (int i = 0; i < count; i++) {
            size += 4 + Math.max(length.applyAsInt(i), 0);
        }
        Buffer frame = BackendMessage.begin(TYPE, size).appendUnsignedShort(count);
        for (int i = 0; i < count; i++) {
            int n = length.applyAsInt(i);
            frame.appendInt(n);
            if (n >= 0) {
                append.accept(frame, i);
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
