package dev.veil.masking;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/** One environment's mask functions and short ways to apply them to text values in the tests. */
final class MaskCases {
    static final byte[] SECRET = "test environment secret, 32 byte".getBytes(StandardCharsets.UTF_8);
    static final MaskFunctions MASK = new MaskFunctions(SECRET);
    static final int NO_TYPMOD = -1;
    static final int TEXT_FORMAT = 0;
    static final int BINARY_FORMAT = 1;
    /** utf8mb4_general_ci, latin1_swedish_ci, utf8mb3_general_ci, binary. */
    static final int UTF8MB4 = 45;
    static final int LATIN1 = 8;
    static final int UTF8MB3 = 33;
    static final int BINARY = 63;

    private MaskCases() {
    }

    /** A PostgreSQL text-format value masked, as text (null for NULL). */
    static String pg(String masker, int oid, int typmod, String value) {
        return text(MASK.apply(Masker.parse(masker), PgColumnTypes.of(oid, typmod, TEXT_FORMAT),
                bytes(value, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    static String pg(String masker, int oid, String value) {
        return pg(masker, oid, NO_TYPMOD, value);
    }

    /** A PostgreSQL binary-format value masked. */
    static byte[] pgBinary(String masker, int oid, int typmod, byte[] value) {
        return MASK.apply(Masker.parse(masker), PgColumnTypes.of(oid, typmod, BINARY_FORMAT), value);
    }

    /** varchar(n), bpchar(n): the type modifier is n + 4. */
    static int chars(int n) {
        return n + 4;
    }

    /** numeric(p, s). */
    static int numeric(int precision, int scale) {
        return ((precision << 16) | scale) + 4;
    }

    /** A MySQL text-row value masked, read back in the column's character set. */
    static String mysql(String masker, ColumnType type, String value) {
        return text(MASK.apply(Masker.parse(masker), type, bytes(value, type.charset())), type.charset());
    }

    static ColumnType mysqlText(int type, long length, int flags, int charset, int decimals) {
        return MySqlColumnTypes.of(type, length, flags, charset, decimals, false, null);
    }

    static ColumnType mysqlBinary(int type, long length, int flags, int charset, int decimals) {
        return MySqlColumnTypes.of(type, length, flags, charset, decimals, true, null);
    }

    static byte[] bytes(String value, Charset charset) {
        return value == null ? null : value.getBytes(charset);
    }

    static String text(byte[] value, Charset charset) {
        return value == null ? null : new String(value, charset);
    }
}
