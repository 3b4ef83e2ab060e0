package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A row of a text resultset (dev.mysql.com "Text Resultset Row"): each value a length-encoded string, or
 * 0xFB for NULL.
 */
public final class TextRow {
    private static final int NULL = 0xFB;

    private TextRow() {
    }

    /** The values of the row payload {@code buf[offset, offset + length)}: slices (not copies), null for NULL. */
    public static Buffer[] values(Buffer buf, int offset, int length) {
        PayloadReader r = new PayloadReader(buf, offset, length);
        List<Buffer> values = new ArrayList<>();
        while (r.hasRemaining()) {
            if (r.peek() == NULL) {
                r.int1();
                values.add(null);
            } else {
                values.add(r.lenencSlice());
            }
        }
        return values.toArray(new Buffer[0]);
    }

    /** The payload of a row of these values. */
    public static Buffer encode(Buffer[] values) {
        int size = 0;
        for (Buffer v : values) {
            size += v == null ? 1 : 9 + v.length();
        }
        PayloadWriter w = new PayloadWriter(size);
        for (Buffer v : values) {
            if (v == null) {
                w.int1(NULL);
            } else {
                w.lenenc(v.length()).bytes(v);
            }
        }
        return w.payload();
    }
}
