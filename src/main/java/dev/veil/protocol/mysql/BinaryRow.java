package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * A row of a binary protocol resultset (dev.mysql.com "Binary Protocol Resultset Row"): header 0x00, a NULL
 * bitmap whose bits start at offset 2, then the values that are not NULL, each encoded by its column's type
 * ("Binary Protocol Value"): fixed-size little-endian numbers; dates and times as a length byte and that
 * many bytes; everything else (strings, blobs, decimals, JSON, bit, enum, set, geometry) as a
 * length-encoded string. A value here is its content without a length prefix.
 */
public final class BinaryRow {
    private static final int HEADER = 0x00;
    /** Encodings, by column type: a size in bytes, or one of these. */
    static final int LENGTH_ENCODED = -1;
    static final int LENGTH_BYTE = -2;

    private BinaryRow() {
    }

    /** The values of the row payload {@code buf[offset, offset + length)}: slices (not copies), null for NULL. */
    public static Buffer[] values(Buffer buf, int offset, int length, int[] types) {
        PayloadReader r = new PayloadReader(buf, offset, length);
        if (r.int1() != HEADER) {
            throw new MalformedPacketException("a binary row must start with 0x00");
        }
        int bitmap = offset + 1;
        r.skip(bitmapBytes(types.length));
        Buffer[] values = new Buffer[types.length];
        for (int i = 0; i < types.length; i++) {
            if ((buf.getUnsignedByte(bitmap + (i + 2) / 8) & (1 << ((i + 2) % 8))) != 0) {
                continue;
            }
            int encoding = encoding(types[i]);
            values[i] = switch (encoding) {
                case LENGTH_ENCODED -> r.lenencSlice();
                case LENGTH_BYTE -> r.slice(r.int1());
                default -> r.slice(encoding);
            };
        }
        if (r.hasRemaining()) {
            throw new MalformedPacketException("binary row has " + r.remaining() + " bytes after its last value");
        }
        return values;
    }

    /** The payload of a row of these values; a fixed-size type must keep its size. */
    public static Buffer encode(Buffer[] values, int[] types) {
        int bitmapBytes = bitmapBytes(types.length);
        int size = 1 + bitmapBytes;
        for (Buffer v : values) {
            size += v == null ? 0 : 9 + v.length();
        }
        Buffer bitmap = Buffer.buffer(new byte[bitmapBytes]);
        PayloadWriter w = new PayloadWriter(size);
        for (int i = 0; i < types.length; i++) {
            Buffer v = values[i];
            if (v == null) {
                int at = (i + 2) / 8;
                bitmap.setByte(at, (byte) (bitmap.getByte(at) | (1 << ((i + 2) % 8))));
                continue;
            }
            int encoding = encoding(types[i]);
            if (encoding == LENGTH_ENCODED) {
                w.lenenc(v.length());
            } else if (encoding == LENGTH_BYTE && v.length() <= 0xFF) {
                w.int1(v.length());
            } else if (encoding != v.length()) {
                throw new IllegalArgumentException("a value of column type 0x" + Integer.toHexString(types[i])
                        + " cannot be " + v.length() + " bytes long");
            }
            w.bytes(v);
        }
        return new PayloadWriter(size).int1(HEADER).bytes(bitmap).bytes(w.payload()).payload();
    }

    static int bitmapBytes(int columns) {
        return (columns + 7 + 2) / 8;
    }

    static int encoding(int type) {
        return switch (type) {
            case 0x01 -> 1; // TINY
            case 0x02, 0x0D -> 2; // SHORT, YEAR
            case 0x03, 0x09, 0x04 -> 4; // LONG, INT24, FLOAT
            case 0x08, 0x05 -> 8; // LONGLONG, DOUBLE
            case 0x06 -> 0; // NULL: its values are always NULL
            case 0x07, 0x0A, 0x0B, 0x0C -> LENGTH_BYTE; // TIMESTAMP, DATE, TIME, DATETIME
            case 0x00, 0x0F, 0x10, 0xF2, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF ->
                    LENGTH_ENCODED; // DECIMAL, VARCHAR, BIT, VECTOR, JSON, NEWDECIMAL, ENUM, SET, blobs, strings, GEOMETRY
            default -> throw new MalformedPacketException("binary row value of unknown column type 0x"
                    + Integer.toHexString(type));
        };
    }
}
