package dev.veil.masking;

import dev.veil.masking.ColumnType.Kind;

import java.nio.charset.StandardCharsets;

/**
 * Applies a {@link Masker} to one value of a result column, given the column's {@link ColumnType}: the value's
 * bytes as the wire carries them in, the masked value's bytes in the same encoding out, or null for SQL NULL
 * (a MySQL binary row encoder sets the value's bit in the NULL bitmap). The column's description never
 * changes: a masked value is always of the column's type and fits its limits, or it is NULL. A value that
 * does not decode (a DateStyle other than ISO, bytea in escape output, a malformed binary value) is NULL too:
 * masking never lets an original value through. Pure and thread-safe.
 */
public final class MaskFunctions {
    private final Pseudonyms pseudonyms;

    /** {@code pseudonymSecret}: the environment's secret for pseudonym and hash (16 bytes or more). */
    public MaskFunctions(byte[] pseudonymSecret) {
        this.pseudonyms = new Pseudonyms(pseudonymSecret.clone());
    }

    /** The masked value, or null for SQL NULL; {@code value} null (SQL NULL) stays NULL. */
    public byte[] apply(Masker masker, ColumnType type, byte[] value) {
        if (value == null || masker instanceof Masker.Nullify || type.kind() == Kind.OTHER) {
            return null;
        }
        byte[] quick = AsciiTextMasks.mask(masker, type, value);
        return quick != null ? quick : decoded(masker, type, value);
    }

    /**
     * For a value whose mask keeps its length and only writes x's over its start (email and partial on ASCII
     * text, the common case): how many of its first bytes become x's. -1 when the value needs {@link #apply}.
     * The value is {@code buf[off, off + len)}, not NULL.
     */
    public int maskedPrefix(Masker masker, ColumnType type, byte[] buf, int off, int len) {
        return AsciiTextMasks.maskedPrefix(masker, type, buf, off, len);
    }

    /** Writes the x's {@link #maskedPrefix} counted over {@code buf[off, off + n)}. */
    public void maskPrefix(byte[] buf, int off, int n) {
        AsciiTextMasks.overwrite(buf, off, n);
    }

    /** The general path: the value decoded from its wire form, masked, fitted to its column and encoded back. */
    byte[] decoded(Masker masker, ColumnType type, byte[] value) {
        if (value == null || masker instanceof Masker.Nullify || type.kind() == Kind.OTHER) {
            return null;
        }
        try {
            WireCodec codec = codec(type.wire());
            Object masked;
            if (masker instanceof Masker.Fixed f) {
                masked = fixed(type, f.value());
            } else if (type.kind() == Kind.ARRAY) {
                masked = masker instanceof Masker.Redact ? Special.EMPTY_ARRAY : null;
            } else {
                masked = mask(masker, type, codec.decode(type, value));
            }
            Object fitted = masked == null ? null : ValueFit.fit(type, masked);
            return fitted == null ? null : codec.encode(type, fitted);
        } catch (RuntimeException e) {
            // Not a value of the column's type as Veil reads it, or not one the column can hold: NULL, never
            // the original.
            return null;
        }
    }

    private Object mask(Masker masker, ColumnType type, Object in) {
        if (masker instanceof Masker.Redact) {
            return ValueMasks.redact(type, in);
        }
        if (masker instanceof Masker.Partial p) {
            return ValueMasks.partial(type, in, p.keep());
        }
        if (masker instanceof Masker.Email) {
            return ValueMasks.email(type, in);
        }
        if (masker instanceof Masker.Pseudonym) {
            return pseudonyms.pseudonym(type, in);
        }
        if (masker instanceof Masker.Hash) {
            return pseudonyms.hash(type, in);
        }
        if (masker instanceof Masker.DateToYear) {
            return ValueMasks.dateToYear(type, in);
        }
        return null;
    }

    /**
     * The policy's fixed text as a value of the column: text as it is, JSON as a JSON string, bytes as its
     * UTF-8; any other kind read as the dialect's text form of the type ("0", "1970-01-01"), NULL if it is not.
     */
    private static Object fixed(ColumnType type, String text) {
        return switch (type.kind()) {
            case TEXT -> text;
            case JSON -> JsonText.string(text);
            case BYTES -> text.getBytes(StandardCharsets.UTF_8);
            case BIT, ARRAY -> null;
            default -> codec(type.wire().text()).decode(type.withWire(type.wire().text()),
                    text.getBytes(StandardCharsets.UTF_8));
        };
    }

    private static WireCodec codec(ColumnType.Wire wire) {
        return switch (wire) {
            case PG_TEXT -> PgTextCodec.INSTANCE;
            case PG_BINARY -> PgBinaryCodec.INSTANCE;
            case MYSQL_TEXT -> MySqlTextCodec.INSTANCE;
            case MYSQL_BINARY -> MySqlBinaryCodec.INSTANCE;
        };
    }
}
