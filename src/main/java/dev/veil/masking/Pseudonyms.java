package dev.veil.masking;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.UUID;

/**
 * pseudonym and hash: HMAC-SHA-256 under the environment's secret of the value's canonical text, so equal
 * values give equal results (joins and GROUP BY still match) whatever the wire and format, and nobody without
 * the secret can compute them from a guess. The two use separate keys derived from the secret, so a hash
 * says nothing of a pseudonym. A pseudonym keeps the value's shape: a number keeps its sign and digit
 * count (zero stays zero), text each character's class (digit, lower case, upper case; punctuation and
 * spaces stay), a date its year; bool has no pseudonym that is not a giveaway (NULL).
 */
final class Pseudonyms {
    /** Below this many bytes a secret is too easy to guess for keyed hashing. */
    static final int MIN_KEY_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";
    private final Mac pseudonymMac;
    private final Mac hashMac;

    Pseudonyms(byte[] secret) {
        if (secret == null || secret.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the pseudonym secret must have at least " + MIN_KEY_BYTES
                    + " bytes; set a longer random secret for this environment");
        }
        Mac root = mac(secret);
        pseudonymMac = mac(root.doFinal("veil pseudonym v1".getBytes(StandardCharsets.UTF_8)));
        hashMac = mac(root.doFinal("veil hash v1".getBytes(StandardCharsets.UTF_8)));
    }

    Object pseudonym(ColumnType t, Object in) {
        if (in instanceof Special) {
            return in;
        }
        Draw draw = new Draw(digest(pseudonymMac, canonical(t, in)));
        return switch (t.kind()) {
            case INTEGER -> integer(t, (BigInteger) in, draw);
            case DECIMAL -> decimal((BigDecimal) in, draw);
            case FLOAT -> floating((Double) in, draw);
            case TEXT -> text(ValueMasks.text(t, (String) in), draw);
            case JSON -> "\"" + HexFormat.of().formatHex(draw.bytes(8)) + "\"";
            case BYTES, BIT -> draw.bytes(((byte[]) in).length);
            case DATE -> ((LocalDate) in).withDayOfYear(1 + draw.below(((LocalDate) in).lengthOfYear()));
            case TIMESTAMP -> inYear(((LocalDateTime) in).toLocalDate(), draw);
            case TIMESTAMPTZ -> OffsetDateTime.of(inYear(((OffsetDateTime) in).toLocalDate(), draw),
                    ((OffsetDateTime) in).getOffset());
            case TIME -> Duration.ofSeconds(draw.below(86400));
            case YEAR -> (Integer) in == 0 ? 0 : 1901 + draw.below(255);
            case UUID -> uuid(draw.bytes(16));
            case INET -> new InetValue(draw.bytes(((InetValue) in).address().length), ((InetValue) in).bits());
            default -> null;
        };
    }

    /** The hex digest for text, the digest itself for bytes, its first 16 bytes for a uuid; else NULL. */
    Object hash(ColumnType t, Object in) {
        byte[] d = digest(hashMac, canonical(t, in));
        return switch (t.kind()) {
            case TEXT -> HexFormat.of().formatHex(d);
            case JSON -> "\"" + HexFormat.of().formatHex(d) + "\"";
            case BYTES -> d;
            case UUID -> {
                ByteBuffer b = ByteBuffer.wrap(d);
                yield new UUID(b.getLong(), b.getLong());
            }
            default -> null;
        };
    }

    /**
     * One text per value, the same whichever wire and format it came in: numbers without trailing zeros
     * (5, 5.0 and 5.00 are one value), text without bpchar padding, dates in ISO, instants in UTC.
     */
    private static String canonical(ColumnType t, Object in) {
        if (in instanceof BigDecimal d) {
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (in instanceof String s) {
            return ValueMasks.text(t, s);
        }
        if (in instanceof byte[] b) {
            return "\\x" + HexFormat.of().formatHex(b);
        }
        if (in instanceof OffsetDateTime o) {
            return o.toInstant().toString();
        }
        if (in instanceof InetValue v) {
            return InetText.format(v);
        }
        return String.valueOf(in);
    }

    private static BigInteger integer(ColumnType t, BigInteger in, Draw draw) {
        if (in.signum() == 0) {
            return in;
        }
        boolean negative = in.signum() < 0;
        int digits = in.abs().toString().length();
        BigInteger lowest = BigInteger.TEN.pow(digits - 1);
        BigInteger v = new BigInteger(draw.digits(digits));
        BigInteger largest = ValueFit.largest(t, negative);
        if (v.compareTo(largest) > 0) {
            // Same digit count, within the type: the original is in [lowest, largest], so the range is not empty.
            v = lowest.add(v.subtract(lowest).mod(largest.subtract(lowest).add(BigInteger.ONE)));
        }
        return negative ? v.negate() : v;
    }

    private static BigDecimal decimal(BigDecimal in, Draw draw) {
        if (in.signum() == 0) {
            return in;
        }
        int digits = in.unscaledValue().abs().toString().length();
        BigDecimal v = new BigDecimal(new BigInteger(draw.digits(digits)), in.scale());
        return in.signum() < 0 ? v.negate() : v;
    }

    /** A number of the same sign in the same binary order of magnitude. */
    private static Double floating(Double in, Draw draw) {
        if (in.isNaN() || in.isInfinite() || in == 0) {
            return in;
        }
        double fraction = (draw.next() >>> 11) * 0x1.0p-53;
        double v = Math.scalb(1 + fraction, Math.getExponent(in));
        return in < 0 ? -v : v;
    }

    private static String text(String s, Draw draw) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp >= '0' && cp <= '9') {
                out.append((char) ('0' + draw.below(10)));
            } else if (cp >= 'A' && cp <= 'Z') {
                out.append((char) ('A' + draw.below(26)));
            } else if (cp < 0x80 && !Character.isLetter(cp)) {
                out.append((char) cp);
            } else {
                // Lower-case letters, and every other character as one: never longer in bytes than the original.
                out.append((char) ('a' + draw.below(26)));
            }
        });
        return out.toString();
    }

    private static LocalDateTime inYear(LocalDate d, Draw draw) {
        LocalDate first = d.withDayOfYear(1);
        return first.atStartOfDay().plusSeconds(draw.below(first.lengthOfYear() * 86400));
    }

    /** Version 4, IETF variant: a well-formed random-looking uuid. */
    private static UUID uuid(byte[] b) {
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new UUID(buf.getLong(), buf.getLong());
    }

    private static byte[] digest(Mac prototype, String canonical) {
        return copy(prototype).doFinal(canonical.getBytes(StandardCharsets.UTF_8));
    }

    private static Mac copy(Mac prototype) {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(ALGORITHM + " cannot be copied", e);
        }
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    /** Bytes drawn from a value's digest: blocks HMAC(digest, counter) under the pseudonym key, one after another. */
    private final class Draw {
        private final byte[] seed;
        private ByteBuffer block = ByteBuffer.allocate(0);
        private int counter;

        Draw(byte[] seed) {
            this.seed = seed;
        }

        long next() {
            if (block.remaining() < 8) {
                Mac mac = copy(pseudonymMac);
                mac.update(seed);
                mac.update(ByteBuffer.allocate(4).putInt(counter++).array());
                block = ByteBuffer.wrap(mac.doFinal());
            }
            return block.getLong();
        }

        int below(int bound) {
            return (int) Long.remainderUnsigned(next(), bound);
        }

        byte[] bytes(int n) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) next();
            }
            return out;
        }

        /** {@code n} decimal digits, the first not 0: the number keeps its digit count, and a sign stays meaningful. */
        String digits(int n) {
            StringBuilder s = new StringBuilder(n);
            s.append(1 + below(9));
            for (int i = 1; i < n; i++) {
                s.append(below(10));
            }
            return s.toString();
        }
    }
}
