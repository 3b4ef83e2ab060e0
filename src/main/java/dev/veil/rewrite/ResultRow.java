package dev.veil.rewrite;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One row of a result as a {@link ResultRewriter} sees it: its values in column order, each encoded as its
 * column's {@link ResultColumn.Format} says, null for SQL NULL. Values the relay decoded are slices of the
 * server's message (not copies): read them, never modify them. A row is immutable; {@link #with} makes the
 * changed row a rewriter hands back.
 */
public final class ResultRow {
    private final Buffer[] values;

    private ResultRow(Buffer[] values) {
        this.values = values;
    }

    /** A row of these values; the array is the row's from now on (the relays decode into a fresh one). */
    public static ResultRow of(Buffer... values) {
        return new ResultRow(values);
    }

    public int size() {
        return values.length;
    }

    /** The value of a column (0-based), or null for SQL NULL. */
    public Buffer value(int column) {
        return values[column];
    }

    public boolean isNull(int column) {
        return values[column] == null;
    }

    /** A text value as a string (UTF-8), or null for SQL NULL. */
    public String text(int column) {
        Buffer v = values[column];
        return v == null ? null : v.toString(StandardCharsets.UTF_8);
    }

    /** This row with one value replaced (null: SQL NULL); this row itself is unchanged. */
    public ResultRow with(int column, Buffer value) {
        Buffer[] changed = values.clone();
        changed[column] = value;
        return new ResultRow(changed);
    }

    /** The values, for a relay to encode (a copy of the array; the values themselves are shared). */
    public Buffer[] values() {
        return values.clone();
    }
}
