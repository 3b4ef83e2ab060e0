package dev.veil.protocol.pg;

import dev.veil.protocol.OwnedBytes;
import io.vertx.core.buffer.Buffer;

import java.util.function.IntUnaryOperator;

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

    /** The value count of a whole DataRow message held in an array (type byte first). */
    public static int count(byte[] message) {
        check(PgFrame.HEADER + 2, message.length);
        return (message[PgFrame.HEADER] & 0xFF) << 8 | message[PgFrame.HEADER + 1] & 0xFF;
    }

    /**
     * Where the {@link #count} values of a whole DataRow message held in an array lie in it, into the given arrays
     * (as long as the count): the message checked whole, like {@link #positions(PgFrame)}, without a buffer's
     * bounds checks per read and without new arrays per row.
     */
    public static void positions(byte[] message, int[] starts, int[] lengths) {
        int end = message.length;
        int pos = PgFrame.HEADER + 2;
        for (int i = 0; i < starts.length; i++) {
            check(pos + 4, end);
            int length = (message[pos] & 0xFF) << 24 | (message[pos + 1] & 0xFF) << 16 | (message[pos + 2] & 0xFF) << 8
                    | message[pos + 3] & 0xFF;
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
    }

    public static Buffer encode(Buffer[] values) {
        return encode(values.length, i -> values[i] == null ? -1 : values[i].length(),
                (i, dst, at) -> values[i].getBytes(0, values[i].length(), dst, at));
    }

    /** Copies value {@code i} of a row into {@code dst} at {@code at}. */
    public interface ValueCopier {
        void copy(int i, byte[] dst, int at);
    }

    /**
     * A DataRow of {@code count} values, value {@code i} being {@code length(i)} bytes (-1: NULL) that
     * {@code copier} puts in place: the caller copies them from wherever they lie, into one array made to size.
     * The buffer wraps that array and has its size for good (nothing can be appended to it).
     */
    public static Buffer encode(int count, IntUnaryOperator length, ValueCopier copier) {
        int size = 4 + 2;
        for (int i = 0; i < count; i++) {
            size += 4 + Math.max(length.applyAsInt(i), 0);
        }
        byte[] frame = new byte[1 + size];
        frame[0] = (byte) TYPE;
        int at = putInt(frame, 1, size);
        frame[at++] = (byte) (count >>> 8);
        frame[at++] = (byte) count;
        for (int i = 0; i < count; i++) {
            int n = length.applyAsInt(i);
            at = putInt(frame, at, n);
            if (n > 0) {
                copier.copy(i, frame, at);
                at += n;
            }
        }
        return OwnedBytes.wrap(frame);
    }

    private static int putInt(byte[] dst, int at, int value) {
        dst[at] = (byte) (value >>> 24);
        dst[at + 1] = (byte) (value >>> 16);
        dst[at + 2] = (byte) (value >>> 8);
        dst[at + 3] = (byte) value;
        return at + 4;
    }

    private static void check(int needed, int end) {
        if (needed > end) {
            throw CStrings.malformed("DataRow ends early");
        }
    }
}
