package dev.veil.protocol.pg;

import java.nio.charset.StandardCharsets;

/**
 * The textual formats of a PostgreSQL COPY (text and CSV) with the options that shape their bytes: the field
 * delimiter, the NULL marker, CSV's quote and escape characters, and whether the first row is a header of column
 * names. Defaults as the server's: text uses tab and {@code \N}; CSV uses comma, the empty string, and {@code "}
 * as both quote and escape. Binary COPY has no textual form and is not described here.
 */
public record CopyFormat(boolean csv, byte delimiter, byte[] nullMarker, byte quote, byte escape, boolean header) {
    public static final CopyFormat TEXT = new CopyFormat(false, (byte) '\t', bytes("\\N"), (byte) '"', (byte) '"', false);
    public static final CopyFormat CSV = new CopyFormat(true, (byte) ',', bytes(""), (byte) '"', (byte) '"', false);

    public CopyFormat withDelimiter(byte d) {
        return new CopyFormat(csv, d, nullMarker, quote, escape, header);
    }

    public CopyFormat withNull(String marker) {
        return new CopyFormat(csv, delimiter, bytes(marker), quote, escape, header);
    }

    public CopyFormat withQuote(byte q) {
        return new CopyFormat(csv, delimiter, nullMarker, q, escape, header);
    }

    public CopyFormat withEscape(byte e) {
        return new CopyFormat(csv, delimiter, nullMarker, quote, e, header);
    }

    public CopyFormat withHeader(boolean h) {
        return new CopyFormat(csv, delimiter, nullMarker, quote, escape, h);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
