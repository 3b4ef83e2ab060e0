package dev.veil.rewrite;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One row of a result as a {@link ResultRewriter} sees it: its values in column order, each encoded as its
 * column's {@link ResultColumn.Format} says, null for SQL NULL. Values the relay decoded are slices of the
 * server's message (not copies): read them, never modify them. A row is immutable; {@link #with} makes the
 * changed row a rewriter hands back.
 *
 * <p>A row read off a server message ({@link #slices}) keeps the message and its values' positions and slices a
 * value only when it is asked for: a masked result reads two or three of its columns, and slicing every value of
 * every row was a good part of what masking cost. {@link #length} and {@link #copyValue} let an encoder copy
 * the other values straight from the message.
 */
public final class ResultRow {
    /** A replaced value that is SQL NULL (a null entry in {@link #values} means "not replaced, not sliced yet"). */
    private static final Buffer NULL = Buffer.buffer(0);

    /** The server's message the values lie in, or null for a row made of values. */
    private final Buffer source;
    /** Per column: where its value starts in {@link #source}, -1 for NULL. */
    private final int[] starts;
    private final int[] lengths;
    /** Per column: a replacement, the value sliced so far, or null (not sliced yet, or NULL in a row of values). */
    private final Buffer[] values;
    /**
     * Per column, or null for a row with no byte replacements: a replacement given as bytes ({@link #replacing}),
     * {@link #NULL_BYTES} for SQL NULL, null for none. Bytes, not buffers: a Vert.x buffer made of an array copies
     * it into a Netty buffer of its own, and a masked result did that for every masked value of every row.
     */
    private final byte[][] replaced;
    private static final byte[] NULL_BYTES = new byte[0];

    private ResultRow(Buffer source, int[] starts, int[] lengths, Buffer[] values, byte[][] replaced) {
        this.source = source;
        this.starts = starts;
        this.lengths = lengths;
        this.values = values;
        this.replaced = replaced;
    }

    /** A row of these values; the array is the row's from now on (the relays decode into a fresh one). */
    public static ResultRow of(Buffer... values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                values[i] = NULL;
            }
        }
        return new ResultRow(null, null, null, values, null);
    }

    /**
     * A row whose value {@code i} is {@code source[starts[i], starts[i] + lengths[i])}, or NULL where
     * {@code starts[i]} is -1; the arrays and the source are the row's from now on.
     */
    public static ResultRow slices(Buffer source, int[] starts, int[] lengths) {
        return new ResultRow(source, starts, lengths, new Buffer[starts.length], null);
    }

    public int size() {
        return values.length;
    }

    /** The value of a column (0-based), or null for SQL NULL. */
    public Buffer value(int column) {
        byte[] r = replaced == null ? null : replaced[column];
        if (r != null) {
            return r == NULL_BYTES ? null : Buffer.buffer(r);
        }
        Buffer v = values[column];
        if (v == null && source != null && starts[column] >= 0) {
            v = source.slice(starts[column], starts[column] + lengths[column]);
            values[column] = v;
        }
        return v == NULL ? null : v;
    }

    public boolean isNull(int column) {
        return length(column) < 0;
    }

    /** The value's length in bytes, or -1 for SQL NULL; slices nothing. */
    public int length(int column) {
        byte[] r = replaced == null ? null : replaced[column];
        if (r != null) {
            return r == NULL_BYTES ? -1 : r.length;
        }
        Buffer v = values[column];
        if (v == NULL) {
            return -1;
        }
        if (v != null) {
            return v.length();
        }
        return source != null && starts[column] >= 0 ? lengths[column] : -1;
    }

    /** Copies the value's bytes (nothing for SQL NULL) into {@code dst} at {@code at}, without a slice. */
    public void copyValue(int column, byte[] dst, int at) {
        byte[] r = replaced == null ? null : replaced[column];
        if (r != null) {
            System.arraycopy(r, 0, dst, at, r.length);
            return;
        }
        Buffer v = values[column];
        if (v == NULL) {
            return;
        }
        if (v != null) {
            v.getBytes(0, v.length(), dst, at);
        } else if (source != null && starts[column] >= 0) {
            source.getBytes(starts[column], starts[column] + lengths[column], dst, at);
        }
    }

    /** A copy of the value's bytes, or null for SQL NULL; slices nothing. */
    public byte[] bytes(int column) {
        int length = length(column);
        if (length < 0) {
            return null;
        }
        byte[] out = new byte[length];
        copyValue(column, out, 0);
        return out;
    }

    /** A text value as a string (UTF-8), or null for SQL NULL. */
    public String text(int column) {
        Buffer v = value(column);
        return v == null ? null : v.toString(StandardCharsets.UTF_8);
    }

    /** This row with one value replaced (null: SQL NULL); this row itself is unchanged. */
    public ResultRow with(int column, Buffer value) {
        Buffer[] changed = values.clone();
        changed[column] = value == null ? NULL : value;
        byte[][] bytes = replaced == null ? null : replaced.clone();
        if (bytes != null) {
            bytes[column] = null;
        }
        return new ResultRow(source, starts, lengths, changed, bytes);
    }

    /**
     * This row with the values of {@code columns[k]} replaced by {@code values[k]} (null: SQL NULL), all in one
     * new row; the arrays are the new row's from now on, and this row is unchanged.
     */
    public ResultRow replacing(int[] columns, byte[][] values) {
        byte[][] bytes = replaced == null ? new byte[this.values.length][] : replaced.clone();
        for (int k = 0; k < columns.length; k++) {
            bytes[columns[k]] = values[k] == null ? NULL_BYTES : values[k];
        }
        return new ResultRow(source, starts, lengths, this.values, bytes);
    }

    /** The values, for a relay to encode (a fresh array; the values themselves are shared). */
    public Buffer[] values() {
        Buffer[] out = new Buffer[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = value(i);
        }
        return out;
    }
}
