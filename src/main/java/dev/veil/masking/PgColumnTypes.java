package dev.veil.masking;

import dev.veil.masking.ColumnType.Kind;
import dev.veil.masking.ColumnType.Wire;

/**
 * A PostgreSQL RowDescription field (type OID, type modifier, format code) as a {@link ColumnType}. OIDs are
 * the built-in ones of pg_type.dat; the type modifier carries varchar(n) and bpchar(n) as n + 4 and
 * numeric(p, s) as ((p << 16) | s) + 4 (VARHDRSZ), -1 when the column has none.
 */
public final class PgColumnTypes {
    public static final int BOOL = 16;
    public static final int BYTEA = 17;
    public static final int NAME = 19;
    public static final int INT8 = 20;
    public static final int INT2 = 21;
    public static final int INT4 = 23;
    public static final int TEXT = 25;
    public static final int OID = 26;
    public static final int JSON = 114;
    public static final int FLOAT4 = 700;
    public static final int FLOAT8 = 701;
    public static final int INET = 869;
    public static final int BPCHAR = 1042;
    public static final int VARCHAR = 1043;
    public static final int DATE = 1082;
    public static final int TIME = 1083;
    public static final int TIMESTAMP = 1114;
    public static final int TIMESTAMPTZ = 1184;
    public static final int NUMERIC = 1700;
    public static final int UUID = 2950;
    public static final int JSONB = 3802;
    public static final int NAME_ARRAY = 1003;
    public static final int BPCHAR_ARRAY = 1014;
    public static final int TEXT_ARRAY = 1009;
    public static final int VARCHAR_ARRAY = 1015;
    /** NAMEDATALEN - 1: a name holds at most 63 bytes. */
    private static final int NAME_BYTES = 63;
    private static final int VARHDRSZ = 4;

    private PgColumnTypes() {
    }

    /** {@code format}: the field's format code, 0 text, 1 binary. */
    public static ColumnType of(int typeOid, int typeModifier, int format) {
        Wire wire = format == 1 ? Wire.PG_BINARY : Wire.PG_TEXT;
        return switch (typeOid) {
            case INT2 -> ColumnType.of(Kind.INTEGER, wire, typeOid).withWidth(2);
            case INT4 -> ColumnType.of(Kind.INTEGER, wire, typeOid).withWidth(4);
            case INT8 -> ColumnType.of(Kind.INTEGER, wire, typeOid).withWidth(8);
            case OID -> ColumnType.of(Kind.INTEGER, wire, typeOid).withWidth(4).withUnsigned(true);
            case NUMERIC -> numeric(wire, typeModifier);
            case FLOAT4 -> ColumnType.of(Kind.FLOAT, wire, typeOid).withWidth(4);
            case FLOAT8 -> ColumnType.of(Kind.FLOAT, wire, typeOid).withWidth(8);
            case BOOL -> ColumnType.of(Kind.BOOLEAN, wire, typeOid);
            case TEXT -> ColumnType.of(Kind.TEXT, wire, typeOid);
            case VARCHAR -> ColumnType.of(Kind.TEXT, wire, typeOid).withLimits(chars(typeModifier), -1);
            case BPCHAR -> ColumnType.of(Kind.TEXT, wire, typeOid).withLimits(chars(typeModifier), -1)
                    .withPadding(typeModifier >= VARHDRSZ);
            case NAME -> ColumnType.of(Kind.TEXT, wire, typeOid).withLimits(-1, NAME_BYTES);
            case JSON, JSONB -> ColumnType.of(Kind.JSON, wire, typeOid);
            case BYTEA -> ColumnType.of(Kind.BYTES, wire, typeOid);
            case DATE -> ColumnType.of(Kind.DATE, wire, typeOid);
            case TIMESTAMP -> ColumnType.of(Kind.TIMESTAMP, wire, typeOid);
            case TIMESTAMPTZ -> ColumnType.of(Kind.TIMESTAMPTZ, wire, typeOid);
            case TIME -> ColumnType.of(Kind.TIME, wire, typeOid);
            case UUID -> ColumnType.of(Kind.UUID, wire, typeOid);
            case INET -> ColumnType.of(Kind.INET, wire, typeOid);
            case TEXT_ARRAY, VARCHAR_ARRAY, BPCHAR_ARRAY, NAME_ARRAY -> ColumnType.of(Kind.ARRAY, wire, typeOid);
            default -> ColumnType.of(Kind.OTHER, wire, typeOid);
        };
    }

    /** The element type of an array type Veil masks (its binary form names it). */
    static int elementOf(int arrayOid) {
        return switch (arrayOid) {
            case TEXT_ARRAY -> TEXT;
            case VARCHAR_ARRAY -> VARCHAR;
            case BPCHAR_ARRAY -> BPCHAR;
            case NAME_ARRAY -> NAME;
            default -> throw new IllegalArgumentException("not an array type Veil masks: " + arrayOid);
        };
    }

    private static int chars(int typeModifier) {
        return typeModifier >= VARHDRSZ ? typeModifier - VARHDRSZ : -1;
    }

    private static ColumnType numeric(Wire wire, int typeModifier) {
        ColumnType t = ColumnType.of(Kind.DECIMAL, wire, NUMERIC);
        if (typeModifier < VARHDRSZ) {
            return t;
        }
        int m = typeModifier - VARHDRSZ;
        // Since PostgreSQL 15 the scale is an 11-bit signed field (numeric(5, -2)); a negative scale is left
        // unconstrained here: the mask functions keep a value's digits, and a fixed value is the policy's choice.
        int scale = ((m & 0x7ff) ^ 0x400) - 0x400;
        return scale < 0 ? t : t.withDigits((m >> 16) & 0xffff, scale);
    }
}
