package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Protocol::ColumnDefinition41 (dev.mysql.com "Column Definition"): catalog ("def"), schema, table and
 * original table, name (the label) and original name as length-encoded strings, then the fixed fields
 * (their length 0x0c, character set, column length, type, flags, decimals, two filler bytes).
 */
public record ColumnDefinition(String schema, String table, String originalTable, String name, String originalName,
                               int characterSet, long columnLength, int type, int flags, int decimals) {

    public static ColumnDefinition decode(Buffer buf, int offset, int length) {
        PayloadReader r = new PayloadReader(buf, offset, length);
        r.lenencBytes(); // catalog
        String schema = r.lenencString();
        String table = r.lenencString();
        String originalTable = r.lenencString();
        String name = r.lenencString();
        String originalName = r.lenencString();
        r.lenenc(); // length of the fixed fields
        return new ColumnDefinition(schema, table, originalTable, name, originalName, r.int2(), r.int4(), r.int1(),
                r.int2(), r.int1());
    }
}
