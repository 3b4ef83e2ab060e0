package dev.veil.rewrite;

/**
 * One column of a result as a {@link ResultRewriter} sees it, the same for both wires: PostgreSQL
 * RowDescription fields and MySQL column definitions are turned into this by the dialect's relay.
 *
 * @param name         the column's label in the result (an alias when the statement gave one)
 * @param typeId       the dialect's type id: a PostgreSQL type OID, or a MySQL column type (MYSQL_TYPE_*)
 * @param format       how the column's values are encoded in the rows
 * @param typeName     the server's own name for the type where the id alone does not say it, else null: MariaDB's
 *                     extended metadata ("json" for a JSON column, which is a LONGTEXT by its id; "uuid", "inet6",
 *                     geometry types), given to clients that negotiated it
 * @param typeModifier PostgreSQL: the field's type modifier (varchar(n), numeric(p, s)), -1 when none; MySQL: 0
 * @param length       MySQL: the column length in bytes of the result's character set; PostgreSQL: 0
 * @param flags        MySQL: the column flags (UNSIGNED, BINARY…); PostgreSQL: 0
 * @param charset      MySQL: the collation id of the values (63: binary); PostgreSQL: 0
 * @param decimals     MySQL: digits after the point (DECIMAL) or of the fraction of seconds; PostgreSQL: 0
 */
public record ResultColumn(String name, int typeId, Format format, String typeName, int typeModifier, long length,
                           int flags, int charset, int decimals) {
    /**
     * TEXT: the value as text. BINARY: the type's binary form (PostgreSQL binary format; MySQL binary
     * protocol, where fixed-size numbers keep their size and strings, decimals and dates their content
     * without a length prefix).
     */
    public enum Format { TEXT, BINARY }

    /** A column whose type id says all there is. */
    public ResultColumn(String name, int typeId, Format format) {
        this(name, typeId, format, null);
    }

    /** A column whose type id and the server's type name say all there is. */
    public ResultColumn(String name, int typeId, Format format, String typeName) {
        this(name, typeId, format, typeName, -1, 0, 0, 0, 0);
    }

    /** A PostgreSQL RowDescription field. */
    public static ResultColumn postgres(String name, int typeOid, int typeModifier, Format format) {
        return new ResultColumn(name, typeOid, format, null, typeModifier, 0, 0, 0, 0);
    }

    /** A MySQL column definition. */
    public static ResultColumn mysql(String name, int type, Format format, String typeName, long length, int flags,
                                     int charset, int decimals) {
        return new ResultColumn(name, type, format, typeName, 0, length, flags, charset, decimals);
    }
}
