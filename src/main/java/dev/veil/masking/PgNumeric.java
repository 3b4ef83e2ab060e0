package dev.veil.masking;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;

/**
 * PostgreSQL's binary numeric (numeric_send / numeric_recv in utils/adt/numeric.c): Int16 ndigits, Int16
 * weight (of the first digit, in powers of 10000), UInt16 sign (0x0000 positive, 0x4000 negative, 0xC000
 * NaN, 0xD000 Infinity, 0xF000 -Infinity), Int16 dscale (digits shown after the point), then ndigits
 * base-10000 digits, without leading or trailing zero digits. Zero has no digits.
 */
final class PgNumeric {
    private static final int POSITIVE = 0x0000;
    private static final int NEGATIVE = 0x4000;
    private static final int NAN = 0xC000;
    private static final int PLUS_INFINITY = 0xD000;
    private static final int MINUS_INFINITY = 0xF000;
    private static final BigInteger NBASE = BigInteger.valueOf(10000);

    private PgNumeric() {
    }

    static Object decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int ndigits = b.getShort();
        int weight = b.getShort();
        int sign = b.getShort() & 0xffff;
        int dscale = b.getShort();
        if (bytes.length != 8 + 2 * ndigits || ndigits < 0 || dscale < 0) {
            throw new IllegalArgumentException("numeric of " + bytes.length + " bytes says " + ndigits + " digits");
        }
        switch (sign) {
            case NAN:
                return Special.NAN;
            case PLUS_INFINITY:
                return Special.INFINITY;
            case MINUS_INFINITY:
                return Special.MINUS_INFINITY;
            case POSITIVE:
            case NEGATIVE:
                break;
            default:
                throw new IllegalArgumentException("numeric sign 0x" + Integer.toHexString(sign));
        }
        BigInteger unscaled = BigInteger.ZERO;
        for (int i = 0; i < ndigits; i++) {
            int digit = b.getShort();
            if (digit < 0 || digit >= 10000) {
                throw new IllegalArgumentException("numeric digit " + digit);
            }
            unscaled = unscaled.multiply(NBASE).add(BigInteger.valueOf(digit));
        }
        BigDecimal value = new BigDecimal(unscaled, 4 * (ndigits - 1 - weight));
        value = ndigits == 0 ? BigDecimal.ZERO : value;
        value = value.setScale(dscale, RoundingMode.UNNECESSARY);
        return sign == NEGATIVE ? value.negate() : value;
    }

    static byte[] encode(Object value) {
        if (value instanceof Special s) {
            int sign = switch (s) {
                case NAN -> NAN;
                case INFINITY -> PLUS_INFINITY;
                case MINUS_INFINITY -> MINUS_INFINITY;
                default -> throw new IllegalArgumentException("not a numeric: " + s);
            };
            return ByteBuffer.allocate(8).putShort((short) 0).putShort((short) 0).putShort((short) sign)
                    .putShort((short) 0).array();
        }
        BigDecimal v = (BigDecimal) value;
        if (v.scale() < 0) {
            v = v.setScale(0, RoundingMode.UNNECESSARY);
        }
        int dscale = v.scale();
        String plain = v.abs().toPlainString();
        int point = plain.indexOf('.');
        String whole = point < 0 ? plain : plain.substring(0, point);
        String fraction = point < 0 ? "" : plain.substring(point + 1);
        whole = "0".repeat((4 - whole.length() % 4) % 4) + whole;
        fraction = fraction + "0".repeat((4 - fraction.length() % 4) % 4);
        String digits = whole + fraction;
        int groups = digits.length() / 4;
        int first = 0;
        while (first < groups && digits.startsWith("0000", first * 4)) {
            first++;
        }
        int last = groups;
        while (last > first && digits.startsWith("0000", (last - 1) * 4)) {
            last--;
        }
        int ndigits = last - first;
        int weight = ndigits == 0 ? 0 : whole.length() / 4 - 1 - first;
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * ndigits);
        b.putShort((short) ndigits).putShort((short) weight)
                .putShort((short) (v.signum() < 0 ? NEGATIVE : POSITIVE)).putShort((short) dscale);
        for (int i = first; i < last; i++) {
            b.putShort(Short.parseShort(digits.substring(i * 4, i * 4 + 4)));
        }
        return b.array();
    }
}
