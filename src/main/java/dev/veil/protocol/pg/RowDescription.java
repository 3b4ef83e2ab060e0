package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * RowDescription 'T': Int16 field count, then per field its name, table OID, column number, type OID, type
 * size, type modifier and format code (0 text, 1 binary). Answering a Describe of a statement the format
 * codes are always 0: the real ones come with Bind.
 * See https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
public record RowDescription(List<Field> fields) {
    public static final char TYPE = 'T';

    public record Field(String name, int tableOid, int columnNumber, int typeOid, int typeSize, int typeModifier,
                        int format) {
        public boolean binary() {
            return format == 1;
        }
    }

    public static RowDescription decode(PgFrame frame) {
        Buffer buf = frame.source();
        int end = frame.end();
        int pos = frame.start() + PgFrame.HEADER;
        check(pos + 2, end);
        int count = buf.getUnsignedShort(pos);
        pos += 2;
        List<Field> fields = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int nul = CStrings.indexOfNul(buf, pos);
            check(nul + 19, end);
            String name = CStrings.read(buf, pos, nul);
            pos = nul + 1;
            fields.add(new Field(name, buf.getInt(pos), buf.getShort(pos + 4), buf.getInt(pos + 6),
                    buf.getShort(pos + 10), buf.getInt(pos + 12), buf.getShort(pos + 16)));
            pos += 18;
        }
        return new RowDescription(fields);
    }

    private static void check(int needed, int end) {
        if (needed > end) {
            throw CStrings.malformed("RowDescription ends early");
        }
    }
}
