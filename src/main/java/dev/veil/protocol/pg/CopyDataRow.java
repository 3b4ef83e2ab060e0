package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One row of a textual COPY TO STDOUT as the server sends it in a CopyData message: fields separated by the
 * delimiter, ended by a newline ({@code \n} on every platform: the protocol's newline). {@link #split} reads the
 * fields as COPY FROM would (text: backslash escapes, the NULL marker compared before unescaping; CSV: quoted
 * fields with the escape character before a quote or escape, an unquoted field equal to the NULL marker is NULL);
 * {@link #appendField} writes a value as the server's COPY TO does (CopyAttributeOutText / CopyAttributeOutCSV in
 * copyto.c), so a row with some values replaced reads back exactly like one the server wrote.
 * https://www.postgresql.org/docs/current/sql-copy.html#SQL-COPY-FILE-FORMATS
 */
public final class CopyDataRow {
    /**
     * One field of a row: where its bytes are in the row ({@code [start, end)}, quotes included), whether it was
     * quoted (CSV), and its value (escapes resolved, quotes removed), null for the NULL marker.
     */
    public record Field(int start, int end, boolean quoted, byte[] value) {
    }

    private CopyDataRow() {
    }

    /**
     * The fields of one row, {@code row[0, length)} without its newline. Throws IllegalArgumentException for bytes
     * the server never writes (a backslash or an open quote at the end of the row).
     */
    public static List<Field> split(byte[] row, int length, CopyFormat format) {
        return format.csv() ? splitCsv(row, length, format) : splitText(row, length, format);
    }

    private static List<Field> splitText(byte[] row, int length, CopyFormat f) {
        List<Field> fields = new ArrayList<>();
        int start = 0;
        while (true) {
            int j = start;
            while (j < length && row[j] != f.delimiter()) {
                j += row[j] == '\\' ? 2 : 1;
            }
            if (j > length) {
                throw new IllegalArgumentException("a backslash ends the row");
            }
            boolean isNull = Arrays.equals(row, start, j, f.nullMarker(), 0, f.nullMarker().length);
            fields.add(new Field(start, j, false, isNull ? null : unescape(row, start, j)));
            if (j == length) {
                return fields;
            }
            start = j + 1;
        }
    }

    /** Text format's backslash escapes, as COPY FROM reads them. */
    private static byte[] unescape(byte[] row, int start, int end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
        int i = start;
        while (i < end) {
            byte c = row[i++];
            if (c != '\\') {
                out.write(c);
                continue;
            }
            byte n = row[i++];
            switch (n) {
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write(10);
                case 'r' -> out.write(13);
                case 't' -> out.write(9);
                case 'v' -> out.write(11);
                case 'x' -> {
                    int v = 0;
                    int digits = 0;
                    while (digits < 2 && i < end && Character.digit(row[i], 16) >= 0) {
                        v = v * 16 + Character.digit(row[i++], 16);
                        digits++;
                    }
                    out.write(digits == 0 ? 'x' : v);
                }
                default -> {
                    if (n >= '0' && n <= '7') {
                        int v = n - '0';
                        for (int d = 1; d < 3 && i < end && row[i] >= '0' && row[i] <= '7'; d++) {
                            v = v * 8 + (row[i++] - '0');
                        }
                        out.write(v & 0xff);
                    } else {
                        out.write(n);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    private static List<Field> splitCsv(byte[] row, int length, CopyFormat f) {
        List<Field> fields = new ArrayList<>();
        int start = 0;
        while (true) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            boolean quoted = false;
            int i = start;
            while (i < length && row[i] != f.delimiter()) {
                if (row[i] != f.quote()) {
                    value.write(row[i++]);
                    continue;
                }
                quoted = true;
                i++;
                while (true) {
                    if (i >= length) {
                        throw new IllegalArgumentException("a quoted field is not closed at the end of the row");
                    }
                    byte c = row[i];
                    // The escape character is checked first: with escape = quote, "" is a quote inside the value.
                    if (c == f.escape() && i + 1 < length && (row[i + 1] == f.escape() || row[i + 1] == f.quote())) {
                        value.write(row[i + 1]);
                        i += 2;
                    } else if (c == f.quote()) {
                        i++;
                        break;
                    } else {
                        value.write(c);
                        i++;
                    }
                }
            }
            boolean isNull = !quoted && Arrays.equals(row, start, i, f.nullMarker(), 0, f.nullMarker().length);
            fields.add(new Field(start, i, quoted, isNull ? null : value.toByteArray()));
            if (i == length) {
                return fields;
            }
            start = i + 1;
        }
    }

    /** The CopyData message ('d') of one row, its newline included. */
    public static Buffer message(Buffer row) {
        return Buffer.buffer(PgFrame.HEADER + row.length()).appendByte((byte) 'd').appendInt(4 + row.length())
                .appendBuffer(row);
    }

    /**
     * Appends {@code value} (null: the NULL marker) as the server writes a field. CSV: quoted when {@code quote}
     * says so (the field it replaces was quoted, as FORCE_QUOTE does), or when the value holds the delimiter,
     * the quote, a newline or a carriage return, equals the NULL marker, or is {@code \.} alone in a one-column
     * row (the old end-of-data marker); inside quotes the quote and escape characters are escaped.
     */
    public static void appendField(Buffer out, byte[] value, boolean quote, boolean singleColumn, CopyFormat f) {
        if (value == null) {
            out.appendBytes(f.nullMarker());
        } else if (f.csv()) {
            appendCsv(out, value, quote, singleColumn, f);
        } else {
            appendText(out, value, f);
        }
    }

    private static void appendText(Buffer out, byte[] value, CopyFormat f) {
        for (byte c : value) {
            if (c >= 0 && c < 0x20) {
                byte letter = switch (c) {
                    case 8 -> 'b';
                    case 12 -> 'f';
                    case 10 -> 'n';
                    case 13 -> 'r';
                    case 9 -> 't';
                    case 11 -> 'v';
                    default -> 0;
                };
                if (letter != 0) {
                    out.appendByte((byte) '\\').appendByte(letter);
                } else if (c == f.delimiter()) {
                    out.appendByte((byte) '\\').appendByte(c);
                } else {
                    out.appendByte(c);
                }
            } else if (c == '\\' || c == f.delimiter()) {
                out.appendByte((byte) '\\').appendByte(c);
            } else {
                out.appendByte(c);
            }
        }
    }

    private static void appendCsv(Buffer out, byte[] value, boolean quote, boolean singleColumn, CopyFormat f) {
        boolean quoted = quote || Arrays.equals(value, f.nullMarker())
                || (singleColumn && value.length == 2 && value[0] == '\\' && value[1] == '.');
        for (int i = 0; i < value.length && !quoted; i++) {
            byte c = value[i];
            quoted = c == f.delimiter() || c == f.quote() || c == '\n' || c == '\r';
        }
        if (!quoted) {
            out.appendBytes(value);
            return;
        }
        out.appendByte(f.quote());
        for (byte c : value) {
            if (c == f.quote() || c == f.escape()) {
                out.appendByte(f.escape());
            }
            out.appendByte(c);
        }
        out.appendByte(f.quote());
    }
}
