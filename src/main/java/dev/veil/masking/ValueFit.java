package dev.veil.masking;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Arrays;

/**
 * A masked value made to fit its column, or null when it cannot: an integer within the type's range, a
 * decimal rounded to the column's scale and within its precision, text cut to the column's characters and
 * bytes (blank-padded for bpchar), dates within the years the dialect holds. NULL is what a client gets for
 * a value its column cannot hold.
 */
final class ValueFit {
    /** PostgreSQL dates run from 4713 BC (ISO year -4712); MySQL's from year 0 to 9999. */
    private static final int PG_FIRST_YEAR = -4712;
    private static final int PG_LAST_DATE_YEAR = 5874897;
    private static final int PG_LAST_TIMESTAMP_YEAR = 294276;
    private static final int MYSQL_LAST_YEAR = 9999;
    private static final Duration MYSQL_TIME_LIMIT = Duration.ofHours(838).plusMinutes(59).plusSeconds(59);

    private ValueFit() {
    }

    static Object fit(ColumnType t, Object v) {
        boolean pg = t.wire().postgres();
        return switch (t.kind()) {
            case INTEGER -> inRange(t, (BigInteger) v) ? v : null;
            case DECIMAL -> decimal(t, v);
            case FLOAT -> floating(t, (Double) v);
            case TEXT -> text(t, (String) v);
            case BYTES -> t.maxBytes() >= 0 && ((byte[]) v).length > t.maxBytes()
                    ? Arrays.copyOf((byte[]) v, t.maxBytes()) : v;
            case BIT -> bits(t, (byte[]) v);
            case DATE -> v instanceof LocalDate d ? year(d.getYear(), pg, PG_LAST_DATE_YEAR, v) : special(v, pg);
            case TIMESTAMP -> v instanceof LocalDateTime d ? year(d.getYear(), pg, PG_LAST_TIMESTAMP_YEAR, v)
                    : special(v, pg);
            case TIMESTAMPTZ -> v instanceof OffsetDateTime d ? year(d.getYear(), pg, PG_LAST_TIMESTAMP_YEAR, v)
                    : special(v, pg);
            case TIME -> time((Duration) v, pg);
            case YEAR -> (Integer) v == 0 || ((Integer) v >= 1901 && (Integer) v <= 2155) ? v : null;
            default -> v;
        };
    }

    static boolean inRange(ColumnType t, BigInteger v) {
        int bits = t.width() * 8;
        BigInteger min = t.unsigned() ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = t.unsigned() ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
        return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
    }

    /** The largest magnitude of the column's type for a value of this sign. */
    static BigInteger largest(ColumnType t, boolean negative) {
        int bits = t.width() * 8;
        if (t.unsigned()) {
            return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        }
        BigInteger half = BigInteger.ONE.shiftLeft(bits - 1);
        return negative ? half : half.subtract(BigInteger.ONE);
    }

    private static Object decimal(ColumnType t, Object v) {
        if (v instanceof Special) {
            return t.wire().postgres() ? v : null;
        }
        BigDecimal d = (BigDecimal) v;
        if (t.unsigned() && d.signum() < 0) {
            return null;
        }
        if (t.scale() >= 0) {
            d = d.setScale(t.scale(), RoundingMode.HALF_UP);
        }
        if (t.precision() > 0 && d.precision() - d.scale() > t.precision() - Math.max(t.scale(), 0)) {
            return null;
        }
        return d;
    }

    private static Object floating(ColumnType t, Double d) {
        if (!t.wire().postgres() && (d.isNaN() || d.isInfinite())) {
            return null;
        }
        if (t.width() == 4 && !d.isInfinite() && Float.isInfinite(d.floatValue())) {
            return null;
        }
        return d;
    }

    /**
     * Cut to maxChars characters, then to maxBytes bytes of the column's character set; padded to maxChars. A
     * character the set cannot hold (in UTF-8: only a lone surrogate) becomes '?'. This runs for every masked
     * text value, so UTF-8 (PostgreSQL's client encoding, MySQL's utf8mb4) is sized by arithmetic, and a value
     * with no limit to meet comes back as it is.
     */
    static String text(ColumnType t, String s) {
        Charset charset = t.charset();
        boolean utf8 = charset.equals(StandardCharsets.UTF_8);
        if (utf8 && t.maxChars() < 0 && t.maxBytes() < 0 && !t.padded() && !hasLoneSurrogate(s)) {
            return s;
        }
        CharsetEncoder encoder = utf8 ? null : charset.newEncoder();
        int questionMark = utf8 ? 1 : "?".getBytes(charset).length;
        StringBuilder out = new StringBuilder(s.length());
        int chars = 0;
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            boolean encodable;
            int size;
            if (utf8) {
                encodable = !Character.isSurrogate((char) cp) || cp > Character.MAX_VALUE;
                size = encodable ? utf8Length(cp) : questionMark;
            } else {
                String c = s.substring(i, i + n);
                encodable = encoder.canEncode(c);
                size = encodable ? c.getBytes(charset).length : questionMark;
            }
            if ((t.maxChars() >= 0 && chars + 1 > t.maxChars()) || (t.maxBytes() >= 0 && bytes + size > t.maxBytes())) {
                break;
            }
            if (encodable) {
                out.appendCodePoint(cp);
            } else {
                out.append('?');
            }
            chars++;
            bytes += size;
            i += n;
        }
        if (t.padded() && t.maxChars() > 0) {
            while (chars < t.maxChars()) {
                out.append(' ');
                chars++;
            }
        }
        return out.toString();
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** A surrogate not part of a pair: UTF-8 cannot encode it. */
    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** A BIT(n) value is ceil(n / 8) bytes, big-endian, its unused high bits zero. */
    private static byte[] bits(ColumnType t, byte[] v) {
        if (t.precision() <= 0) {
            return v;
        }
        int size = (t.precision() + 7) / 8;
        byte[] out = new byte[size];
        int copy = Math.min(size, v.length);
        System.arraycopy(v, v.length - copy, out, size - copy, copy);
        int unused = size * 8 - t.precision();
        out[0] &= (byte) (0xff >>> unused);
        return out;
    }

    private static Object year(int year, boolean pg, int pgLast, Object v) {
        boolean fits = pg ? year >= PG_FIRST_YEAR && year <= pgLast : year >= 0 && year <= MYSQL_LAST_YEAR;
        return fits ? v : null;
    }

    private static Object special(Object v, boolean pg) {
        boolean fits = pg ? v == Special.INFINITY || v == Special.MINUS_INFINITY : v == Special.ZERO_DATE;
        return fits ? v : null;
    }

    private static Object time(Duration d, boolean pg) {
        if (pg) {
            return !d.isNegative() && d.compareTo(Duration.ofDays(1)) <= 0 ? d : null;
        }
        return d.abs().compareTo(MYSQL_TIME_LIMIT) <= 0 ? d : null;
    }
}
