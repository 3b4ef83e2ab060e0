package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Protocol::ColumnDefinition41 (dev.mysql.com "Column Definition"): catalog ("def"), schema, table and
 * original table, name (the label) and original name as length-encoded strings, then the fixed fields
 * (their length 0x0c, character set, column length, type, flags, decimals, two filler bytes).
 *
 * <p>On a connection that negotiated MariaDB's {@link Capabilities#MARIADB_EXTENDED_METADATA}, a length-encoded
 * block sits between the original name and the fixed fields (mariadb.com "Result Set Packets"): pairs of a
 * one-byte key (0 data type, 1 format) and a length-encoded string, empty for most columns. A JSON column is a
 * LONGTEXT with format "json"; {@code extendedType} and {@code extendedFormat} are null when absent.
 */
public record ColumnDefinition(String schema, String table, String originalTable, String name, String originalName,
                               int characterSet, long columnLength, int type, int flags, int decimals,
                               String extendedType, String extendedFormat) {
    private static final int EXTENDED_TYPE = 0;
    private static final int EXTENDED_FORMAT = 1;

    /** A column definition of a connection without MariaDB's extended metadata. */
    public static ColumnDefinition decode(Buffer buf, int offset, int length) {
        return decode(buf, offset, length, false);
    }

    /** {@code extendedMetadata}: the connection negotiated MARIADB_CLIENT_EXTENDED_METADATA. */
    public static ColumnDefinition decode(Buffer buf, int offset, int length, boolean extendedMetadata) {
        PayloadReader r = new PayloadReader(buf, offset, length);
        r.lenencBytes(); // catalog
        String schema = r.lenencString();
        String table = r.lenencString();
        String originalTable = r.lenencString();
        String name = r.lenencString();
        String originalName = r.lenencString();
        String extendedType = null;
        String extendedFormat = null;
        if (extendedMetadata) {
            PayloadReader ext = new PayloadReader(r.lenencSlice());
            while (ext.hasRemaining()) {
                int key = ext.int1();
                String value = ext.lenencString();
                if (key == EXTENDED_TYPE) {
                    extendedType = value;
                } else if (key == EXTENDED_FORMAT) {
                    extendedFormat = value;
                }
            }
        }
        r.lenenc(); // length of the fixed fields
        return new ColumnDefinition(schema, table, originalTable, name, originalName, r.int2(), r.int4(), r.int1(),
                r.int2(), r.int1(), extendedType, extendedFormat);
    }

    /** The server's name for the column's type where the type id alone does not say it (json, uuid…), or null. */
    public String typeName() {
        return extendedType != null ? extendedType : extendedFormat;
    }
}
