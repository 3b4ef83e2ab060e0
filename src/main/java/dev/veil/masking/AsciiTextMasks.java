package dev.veil.masking;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * email and partial on the bytes of an ASCII text value, for the common case of a masked result: UTF-8 text
 * without padding, every byte below 0x80. There each character is one byte, so the general path's decode, mask
 * by code point, fit and encode come down to writing x's over a prefix: the same bytes, without a String made
 * and encoded back for every value of every row. The masked value has as many characters as the original and
 * no more bytes, so it fits wherever the original did. Anything else returns null and takes the general path.
 */
final class AsciiTextMasks {
    private static final byte MASK = 'x';

    private AsciiTextMasks() {
    }

    /** The masked bytes, or null when this value or masker is not one this shortcut covers. */
    static byte[] mask(Masker masker, ColumnType type, byte[] value) {
        int end = maskedPrefix(masker, type, value, 0, value.length);
        if (end < 0) {
            return null;
        }
        byte[] out = value.clone();
        Arrays.fill(out, 0, end, MASK);
        return out;
    }

    /**
     * For the value {@code buf[off, off + len)}: how many of its first bytes the mask turns into x's (the rest
     * stays as it is), or -1 when this value or masker is not one this shortcut covers.
     */
    static int maskedPrefix(Masker masker, ColumnType type, byte[] buf, int off, int len) {
        if (type.kind() != ColumnType.Kind.TEXT || type.padded() || !StandardCharsets.UTF_8.equals(type.charset())
                || (type.wire() != ColumnType.Wire.PG_TEXT && type.wire() != ColumnType.Wire.MYSQL_TEXT)
                || !fits(type, len) || !ascii(buf, off, len)) {
            return -1;
        }
        if (masker instanceof Masker.Partial p) {
            return len > p.keep() ? len - p.keep() : len;
        }
        if (masker instanceof Masker.Email) {
            int at = lastAt(buf, off, len);
            // Not an address: the general path redacts it.
            return at <= 0 || at == len - 1 ? -1 : at;
        }
        return -1;
    }

    /** Writes the x's of {@link #maskedPrefix} over {@code buf[off, off + n)}. */
    static void overwrite(byte[] buf, int off, int n) {
        Arrays.fill(buf, off, off + n, MASK);
    }

    private static boolean fits(ColumnType type, int length) {
        return (type.maxChars() < 0 || length <= type.maxChars()) && (type.maxBytes() < 0 || length <= type.maxBytes());
    }

    private static boolean ascii(byte[] buf, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            if (buf[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** The position of the last '@' within the value, from its start; -1 for none. */
    private static int lastAt(byte[] buf, int off, int len) {
        for (int i = len - 1; i >= 0; i--) {
            if (buf[off + i] == '@') {
                return i;
            }
        }
        return -1;
    }
}
