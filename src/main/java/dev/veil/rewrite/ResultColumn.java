package dev.veil.rewrite;

/**
 * One column of a result as a {@link ResultRewriter} sees it, the same for both wires: PostgreSQL
 * RowDescription fields and MySQL column definitions are turned into this by the dialect's relay.
 *
 * @param name     the column's label in the result (an alias when the statement gave one)
 * @param typeId   the dialect's type id: a PostgreSQL type OID, or a MySQL column type (MYSQL_TYPE_*)
 * @param format   how the column's values are encoded in the rows
 * @param typeName the server's own name for the type where the id alone does not say it, else null: MariaDB's
 *                 extended metadata ("json" for a JSON column, which is a LONGTEXT by its id; "uuid", "inet6",
 *                 geometry types), given to clients that negotiated it
 */
public record ResultColumn(String name, int typeId, Format format, String typeName) {
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
}
