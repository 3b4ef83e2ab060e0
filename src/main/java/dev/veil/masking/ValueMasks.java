package dev.veil.masking;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * redact, partial, email and date-to-year on decoded values (see {@link WireCodec} for their Java forms).
 * Each returns a value of the column's kind, or null for SQL NULL; {@link ValueFit} then fits it to the column.
 */
final class ValueMasks {
    static final LocalDate REDACTED_DATE = LocalDate.of(1970, 1, 1);
    static final int REDACTED_YEAR = 1970;
    private static final char MASK = 'x';

    private ValueMasks() {
    }

    /** A neutral value of the same kind: zero, the epoch, the nil uuid, x's of the text's length class. */
    static Object redact(ColumnType t, Object in) {
        return switch (t.kind()) {
            case INTEGER -> BigInteger.ZERO;
            case DECIMAL -> BigDecimal.ZERO.setScale(Math.max(t.scale(), 0));
            case FLOAT -> 0.0d;
            case BOOLEAN -> Boolean.FALSE;
            case TEXT -> masked(lengthClass(text(t, (String) in).codePoints().count()));
            case JSON -> "\"" + masked(lengthClass(((String) in).length())) + "\"";
            case BYTES -> new byte[lengthClass(((byte[]) in).length)];
            case BIT -> new byte[((byte[]) in).length];
            case DATE -> REDACTED_DATE;
            case TIMESTAMP -> REDACTED_DATE.atStartOfDay();
            case TIMESTAMPTZ -> OffsetDateTime.of(REDACTED_DATE.atStartOfDay(), ZoneOffset.UTC);
            case TIME -> Duration.ZERO;
            case YEAR -> REDACTED_YEAR;
            case UUID -> new UUID(0, 0);
            case INET -> new InetValue(new byte[((InetValue) in).address().length], ((InetValue) in).bits());
            case ARRAY -> Special.EMPTY_ARRAY;
            default -> null;
        };
    }

    /**
     * The last {@code keep} characters of text (digits of a number, hex digits of a uuid) kept, the rest
     * masked; a value no longer than {@code keep} is masked whole. Other kinds are redacted.
     */
    static Object partial(ColumnType t, Object in, int keep) {
        switch (t.kind()) {
            case TEXT: {
                int[] cps = text(t, (String) in).codePoints().toArray();
                int shown = cps.length > keep ? keep : 0;
                return masked(cps.length - shown) + new String(cps, cps.length - shown, shown);
            }
            case INTEGER: {
                BigInteger abs = ((BigInteger) in).abs();
                return abs.toString().length() > keep ? abs.mod(BigInteger.TEN.pow(keep)) : BigInteger.ZERO;
            }
            case DECIMAL: {
                if (in instanceof Special) {
                    return in;
                }
                BigDecimal d = (BigDecimal) in;
                BigInteger unscaled = d.unscaledValue().abs();
                BigInteger kept = unscaled.toString().length() > keep ? unscaled.mod(BigInteger.TEN.pow(keep))
                        : BigInteger.ZERO;
                return new BigDecimal(kept, d.scale());
            }
            case UUID: {
                String hex = in.toString().replace("-", "");
                int shown = hex.length() > keep ? keep : 0;
                String masked = "0".repeat(hex.length() - shown) + hex.substring(hex.length() - shown);
                return new UUID(Long.parseUnsignedLong(masked.substring(0, 16), 16),
                        Long.parseUnsignedLong(masked.substring(16), 16));
            }
            default:
                return redact(t, in);
        }
    }

    /** The local part of an address masked character for character, the domain kept; not an address: redacted. */
    static Object email(ColumnType t, Object in) {
        if (t.kind() != ColumnType.Kind.TEXT) {
            return redact(t, in);
        }
        String s = text(t, (String) in);
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            return redact(t, in);
        }
        return masked(s.codePointCount(0, at)) + s.substring(at);
    }

    /** January 1 of the value's year (midnight, in the value's own offset); NULL for what has no year. */
    static Object dateToYear(ColumnType t, Object in) {
        if (in instanceof Special) {
            return in;
        }
        return switch (t.kind()) {
            case DATE -> ((LocalDate) in).withDayOfYear(1);
            case TIMESTAMP -> ((LocalDateTime) in).toLocalDate().withDayOfYear(1).atStartOfDay();
            case TIMESTAMPTZ -> OffsetDateTime.of(((OffsetDateTime) in).toLocalDate().withDayOfYear(1).atStartOfDay(),
                    ((OffsetDateTime) in).getOffset());
            case YEAR -> in;
            default -> null;
        };
    }

    /** The text without bpchar's blank padding: padding is not part of the value, and ValueFit puts it back. */
    static String text(ColumnType t, String s) {
        return t.padded() ? s.stripTrailing() : s;
    }

    /**
     * The length class of a value of {@code n} characters or bytes: 0, then 4, 8, 16, … the first power of two
     * (4 or more) not shorter. Redacted text shows this, not the exact length.
     */
    static int lengthClass(long n) {
        if (n == 0) {
            return 0;
        }
        int c = 4;
        while (c < n && c < (1 << 30)) {
            c <<= 1;
        }
        return c;
    }

    private static String masked(int n) {
        return String.valueOf(MASK).repeat(n);
    }
}
