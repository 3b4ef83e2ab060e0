package dev.veil.protocol.mysql;

/**
 * Where the values of a text or binary resultset row lie in a packet held in an array, without slicing them: what
 * a rewriter that changes values where they lie needs (masking's e-mail and partial on ASCII text). The same rules as
 * {@link TextRow#values} and {@link BinaryRow#values}, the payload checked whole; {@code starts[i]} -1 for NULL.
 */
public final class RowPositions {
    private RowPositions() {
    }

    /** A text row of {@code starts.length} values, its payload {@code packet[offset, packet.length)}. */
    public static void text(byte[] packet, int offset, int[] starts, int[] lengths) {
        int pos = offset;
        for (int i = 0; i < starts.length; i++) {
            need(packet, pos, 1);
            if ((packet[pos] & 0xFF) == 0xFB) {
                starts[i] = -1;
                lengths[i] = -1;
                pos++;
                continue;
            }
            pos = lengthEncoded(packet, pos, starts, lengths, i);
        }
        if (pos != packet.length) {
            throw new MalformedPacketException("text row has " + (packet.length - pos) + " bytes after its last value");
        }
    }

    /** A binary row of columns of {@code types}, its payload {@code packet[offset, packet.length)}. */
    public static void binary(byte[] packet, int offset, int[] types, int[] starts, int[] lengths) {
        need(packet, offset, 1);
        if (packet[offset] != 0) {
            throw new MalformedPacketException("a binary row must start with 0x00");
        }
        int bitmap = offset + 1;
        int pos = bitmap + BinaryRow.bitmapBytes(types.length);
        need(packet, bitmap, pos - bitmap);
        for (int i = 0; i < types.length; i++) {
            if ((packet[bitmap + (i + 2) / 8] & (1 << ((i + 2) % 8))) != 0) {
                starts[i] = -1;
                lengths[i] = -1;
                continue;
            }
            int encoding = BinaryRow.encoding(types[i]);
            if (encoding == BinaryRow.LENGTH_ENCODED) {
                pos = lengthEncoded(packet, pos, starts, lengths, i);
                continue;
            }
            int n = encoding;
            if (encoding == BinaryRow.LENGTH_BYTE) {
                need(packet, pos, 1);
                n = packet[pos++] & 0xFF;
            }
            need(packet, pos, n);
            starts[i] = pos;
            lengths[i] = n;
            pos += n;
        }
        if (pos != packet.length) {
            throw new MalformedPacketException("binary row has " + (packet.length - pos) + " bytes after its last value");
        }
    }

    /** A length-encoded string at {@code pos} as value {@code i}; returns where the next value starts. */
    private static int lengthEncoded(byte[] packet, int pos, int[] starts, int[] lengths, int i) {
        need(packet, pos, 1);
        int first = packet[pos++] & 0xFF;
        long n;
        if (first < 0xFB) {
            n = first;
        } else {
            int size = switch (first) {
                case 0xFC -> 2;
                case 0xFD -> 3;
                case 0xFE -> 8;
                default -> throw new MalformedPacketException(String.format("0x%02x does not start a length-encoded integer", first));
            };
            need(packet, pos, size);
            n = 0;
            for (int b = size - 1; b >= 0; b--) {
                n = n << 8 | packet[pos + b] & 0xFF;
            }
            pos += size;
        }
        if (n < 0 || n > packet.length - pos) {
            throw new MalformedPacketException("a value of " + n + " bytes runs past the end of its row");
        }
        starts[i] = pos;
        lengths[i] = (int) n;
        return pos + (int) n;
    }

    private static void need(byte[] packet, int pos, int n) {
        if (n < 0 || pos + n > packet.length) {
            throw new MalformedPacketException("row ends early");
        }
    }
}
