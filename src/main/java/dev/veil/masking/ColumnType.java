package dev.veil.masking;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * What a mask function needs to know of a result column, the same for both wires: what kind of value it
 * holds, how its values are encoded ({@link Wire}), and the limits a masked value must respect. Made from a
 * PostgreSQL RowDescription field by {@link PgColumnTypes} and from a MySQL column definition by
 * {@link MySqlColumnTypes}; the column's description itself is never changed.
 *
 * @param kind      the kind of value
 * @param wire      dialect and format of the values
 * @param typeId    the dialect's type id (PostgreSQL OID, MySQL column type), for the encodings that differ
 *                  within a kind (jsonb's version byte, an array's element type)
 * @param width     INTEGER: bytes of the type's range (1, 2, 3, 4, 8); FLOAT: 4 or 8; else 0
 * @param unsigned  INTEGER: the range is unsigned (MySQL UNSIGNED)
 * @param precision DECIMAL: total digits allowed (-1: unlimited); BIT: bits of the column
 * @param scale     DECIMAL: digits after the point (-1: as the value has them)
 * @param maxChars  TEXT: characters allowed (-1: unlimited)
 * @param maxBytes  TEXT and BYTES: bytes allowed in the column's character set (-1: unlimited)
 * @param padded    TEXT: values are blank-padded to maxChars (PostgreSQL bpchar(n))
 * @param charset   TEXT: the character set of the values on the wire
 */
public record ColumnType(Kind kind, Wire wire, int typeId, int width, boolean unsigned, int precision, int scale,
                         int maxChars, int maxBytes, boolean padded, Charset charset) {
    /** The kinds of value mask functions tell apart. */
    public enum Kind {
        INTEGER, DECIMAL, FLOAT, BOOLEAN, TEXT, JSON, BYTES, BIT, DATE, TIMESTAMP, TIMESTAMPTZ, TIME, YEAR, UUID,
        INET, ARRAY,
        /** A type mask functions do not know: every masker gives NULL. */
        OTHER
    }

    /** Dialect and value format. */
    public enum Wire {
        PG_TEXT, PG_BINARY, MYSQL_TEXT, MYSQL_BINARY;

        boolean postgres() {
            return this == PG_TEXT || this == PG_BINARY;
        }

        /** The text format of the same dialect (a fixed value is written as text). */
        Wire text() {
            return postgres() ? PG_TEXT : MYSQL_TEXT;
        }
    }

    /** A column of this kind without limits. */
    public static ColumnType of(Kind kind, Wire wire, int typeId) {
        return new ColumnType(kind, wire, typeId, 0, false, -1, -1, -1, -1, false, StandardCharsets.UTF_8);
    }

    public ColumnType withWidth(int bytes) {
        return new ColumnType(kind, wire, typeId, bytes, unsigned, precision, scale, maxChars, maxBytes, padded,
                charset);
    }

    public ColumnType withUnsigned(boolean isUnsigned) {
        return new ColumnType(kind, wire, typeId, width, isUnsigned, precision, scale, maxChars, maxBytes, padded,
                charset);
    }

    public ColumnType withDigits(int totalDigits, int afterPoint) {
        return new ColumnType(kind, wire, typeId, width, unsigned, totalDigits, afterPoint, maxChars, maxBytes,
                padded, charset);
    }

    public ColumnType withLimits(int chars, int bytes) {
        return new ColumnType(kind, wire, typeId, width, unsigned, precision, scale, chars, bytes, padded, charset);
    }

    public ColumnType withPadding(boolean blankPadded) {
        return new ColumnType(kind, wire, typeId, width, unsigned, precision, scale, maxChars, maxBytes,
                blankPadded, charset);
    }

    public ColumnType withCharset(Charset values) {
        return new ColumnType(kind, wire, typeId, width, unsigned, precision, scale, maxChars, maxBytes, padded,
                values);
    }

    ColumnType withWire(Wire other) {
        return new ColumnType(kind, other, typeId, width, unsigned, precision, scale, maxChars, maxBytes, padded,
                charset);
    }
}
