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
        if (type.kind() != ColumnType.Kind.TEXT || type.padded() || !StandardCharsets.UTF_8.equals(type.charset())
                || (type.wire() != ColumnType.Wire.PG_TEXT && type.wire() != ColumnType.Wire.MYSQL_TEXT)
                || !fits(type, value.length) || !ascii(value)) {
            return null;
        }
        if (masker instanceof Masker.Partial p) {
            int shown = value.length > p.keep() ? p.keep() : 0;
            return maskedBefore(value, value.length - shown);
        }
        if (masker instanceof Masker.Email) {
            int at = lastAt(value);
            // Not an address: the general path redacts it.
            return at <= 0 || at == value.length - 1 ? null : maskedBefore(value, at);
        }
        return null;
    }

    private static byte[] maskedBefore(byte[] value, int end) {
        byte[] out = value.clone();
        Arrays.fill(out, 0, end, MASK);
        return out;
    }

    private static boolean fits(ColumnType type, int length) {
        return (type.maxChars() < 0 || length <= type.maxChars()) && (type.maxBytes() < 0 || length <= type.maxBytes());
    }

    private static boolean ascii(byte[] value) {
        for (byte b : value) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static int lastAt(byte[] value) {
        for (int i = value.length - 1; i >= 0; i--) {
            if (value[i] == '@') {
                return i;
            }
        }
        return -1;
    }
}
