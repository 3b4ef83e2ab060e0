package dev.veil.masking;

import dev.veil.masking.ColumnType.Kind;
import dev.veil.masking.ColumnType.Wire;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A MySQL column definition (type, column length, flags, character set, decimals; MariaDB's extended type
 * name) as a {@link ColumnType}. The column length counts bytes in the result's character set: a
 * VARCHAR(5) of utf8mb4 says 20, so it holds 5 characters of up to 4 bytes.
 */
public final class MySqlColumnTypes {
    public static final int DECIMAL = 0x00;
    public static final int TINY = 0x01;
    public static final int SHORT = 0x02;
    public static final int LONG = 0x03;
    public static final int FLOAT = 0x04;
    public static final int DOUBLE = 0x05;
    public static final int TIMESTAMP = 0x07;
    public static final int LONGLONG = 0x08;
    public static final int INT24 = 0x09;
    public static final int DATE = 0x0A;
    public static final int TIME = 0x0B;
    public static final int DATETIME = 0x0C;
    public static final int YEAR = 0x0D;
    public static final int VARCHAR = 0x0F;
    public static final int BIT = 0x10;
    public static final int JSON = 0xF5;
    public static final int NEWDECIMAL = 0xF6;
    public static final int ENUM = 0xF7;
    public static final int SET = 0xF8;
    public static final int TINY_BLOB = 0xF9;
    public static final int MEDIUM_BLOB = 0xFA;
    public static final int LONG_BLOB = 0xFB;
    public static final int BLOB = 0xFC;
    public static final int VAR_STRING = 0xFD;
    public static final int STRING = 0xFE;
    public static final int UNSIGNED_FLAG = 0x20;
    public static final int BINARY_CHARSET = 63;

    private MySqlColumnTypes() {
    }

    /**
     * {@code binary}: the rows are binary protocol rows (COM_STMT_EXECUTE); {@code typeName}: MariaDB's
     * extended type name or format ("json", "uuid", "inet6"), or null.
     */
    public static ColumnType of(int type, long columnLength, int flags, int characterSet, int decimals,
                                boolean binary, String typeName) {
        Wire wire = binary ? Wire.MYSQL_BINARY : Wire.MYSQL_TEXT;
        boolean unsigned = (flags & UNSIGNED_FLAG) != 0;
        ColumnType named = named(type, wire, typeName);
        if (named != null) {
            return named;
        }
        return switch (type) {
            case TINY -> integer(type, wire, 1, unsigned);
            case SHORT -> integer(type, wire, 2, unsigned);
            case INT24 -> integer(type, wire, 3, unsigned);
            case LONG -> integer(type, wire, 4, unsigned);
            case LONGLONG -> integer(type, wire, 8, unsigned);
            case FLOAT -> ColumnType.of(Kind.FLOAT, wire, type).withWidth(4);
            case DOUBLE -> ColumnType.of(Kind.FLOAT, wire, type).withWidth(8);
            case DECIMAL, NEWDECIMAL -> decimal(type, wire, columnLength, unsigned, decimals);
            case DATE -> ColumnType.of(Kind.DATE, wire, type);
            case DATETIME, TIMESTAMP -> ColumnType.of(Kind.TIMESTAMP, wire, type).withDigits(-1, fraction(decimals));
            case TIME -> ColumnType.of(Kind.TIME, wire, type).withDigits(-1, fraction(decimals));
            case YEAR -> ColumnType.of(Kind.YEAR, wire, type);
            case JSON -> ColumnType.of(Kind.JSON, wire, type);
            case BIT -> ColumnType.of(Kind.BIT, wire, type).withDigits((int) Math.min(columnLength, 64), -1);
            case VARCHAR, VAR_STRING, STRING, ENUM, SET, TINY_BLOB, MEDIUM_BLOB, LONG_BLOB, BLOB ->
                    string(type, wire, columnLength, characterSet);
            default -> ColumnType.of(Kind.OTHER, wire, type);
        };
    }

    private static ColumnType named(int type, Wire wire, String typeName) {
        if (typeName == null) {
            return null;
        }
        return switch (typeName.toLowerCase(Locale.ROOT)) {
            case "json" -> ColumnType.of(Kind.JSON, wire, type);
            case "uuid" -> ColumnType.of(Kind.UUID, wire, type);
            case "inet4", "inet6" -> ColumnType.of(Kind.INET, wire, type);
            default -> null;
        };
    }

    /** Fractional-second digits of a DATETIME(fsp), TIMESTAMP(fsp) or TIME(fsp); the text rows show that many. */
    private static int fraction(int decimals) {
        return decimals >= 0 && decimals <= 6 ? decimals : 0;
    }

    private static ColumnType integer(int type, Wire wire, int bytes, boolean unsigned) {
        return ColumnType.of(Kind.INTEGER, wire, type).withWidth(bytes).withUnsigned(unsigned);
    }

    /** A DECIMAL(p, s) column's length is p, plus one for the point when s > 0, plus one for the sign when signed. */
    private static ColumnType decimal(int type, Wire wire, long columnLength, boolean unsigned, int decimals) {
        int precision = (int) columnLength - (decimals > 0 ? 1 : 0) - (unsigned ? 0 : 1);
        ColumnType t = ColumnType.of(Kind.DECIMAL, wire, type).withUnsigned(unsigned);
        return precision > 0 ? t.withDigits(precision, decimals) : t;
    }

    private static ColumnType string(int type, Wire wire, long columnLength, int characterSet) {
        int bytes = columnLength <= 0 || columnLength > Integer.MAX_VALUE ? -1 : (int) columnLength;
        if (characterSet == BINARY_CHARSET) {
            return ColumnType.of(Kind.BYTES, wire, type).withLimits(-1, bytes);
        }
        int perChar = maxBytesPerChar(characterSet);
        Charset charset = perChar == 1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        return ColumnType.of(Kind.TEXT, wire, type).withCharset(charset)
                .withLimits(bytes < 0 ? -1 : bytes / perChar, bytes);
    }

    /**
     * Bytes per character of the result's character set, by collation id: latin1 and ascii 1, utf8mb3 3,
     * utf8mb4 4; a character set not listed counts as 4 bytes a character (the limit in characters is then
     * the smallest it can be) and is read as UTF-8.
     */
    static int maxBytesPerChar(int collation) {
        if (collation == 5 || collation == 8 || collation == 11 || collation == 15 || collation == 31
                || (collation >= 47 && collation <= 49) || collation == 65 || collation == 94) {
            return 1;
        }
        if (collation == 33 || collation == 76 || collation == 83 || (collation >= 192 && collation <= 223)
                || (collation >= 2048 && collation < 2304)) {
            return 3;
        }
        return 4;
    }
}
