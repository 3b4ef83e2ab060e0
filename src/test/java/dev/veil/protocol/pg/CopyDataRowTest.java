package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** COPY TO's textual rows: read as COPY FROM reads them, written as the server writes them (golden bytes). */
class CopyDataRowTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> values(String row, CopyFormat format) {
        byte[] b = bytes(row);
        List<String> out = new ArrayList<>();
        for (CopyDataRow.Field f : CopyDataRow.split(b, b.length, format)) {
            out.add(f.value() == null ? null : new String(f.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Buffer row(CopyFormat format, String... values) {
        Buffer out = Buffer.buffer();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.appendByte(format.delimiter());
            }
            CopyDataRow.appendField(out, values[i] == null ? null : bytes(values[i]), false, values.length == 1, format);
        }
        return out.appendByte((byte) '\n');
    }

    @Test
    void aTextRowIsWrittenWithTheServersEscapesByteForByte() {
        Buffer message = CopyDataRow.message(row(CopyFormat.TEXT, "1", "a\tb\\c\nd", null));
        assertThat(GoldenBytes.hex(message)).isEqualTo(GoldenBytes.hex(GoldenBytes.load("copy-data-text-row")));
    }

    @Test
    void aCsvRowQuotesWhatNeedsQuotesAndKeepsNullApartFromTheEmptyString() {
        Buffer message = CopyDataRow.message(row(CopyFormat.CSV, "x,y", "say \"hi\"", "", null));
        assertThat(GoldenBytes.hex(message)).isEqualTo(GoldenBytes.hex(GoldenBytes.load("copy-data-csv-row")));
    }

    @Test
    void textEscapesReadBackToTheirBytesAndTheNullMarkerIsComparedBeforeUnescaping() {
        assertThat(values("1\ta\\tb\\\\c\\nd\t\\N", CopyFormat.TEXT)).containsExactly("1", "a\tb\\c\nd", null);
        assertThat(values("\\101\\x41\\q\t\\\\N", CopyFormat.TEXT)).containsExactly("AAq", "\\N");
        assertThat(values("a\\|b|NULL", CopyFormat.TEXT.withDelimiter((byte) '|').withNull("NULL")))
                .containsExactly("a|b", null);
    }

    @Test
    void csvFieldsReadQuotesEscapesAndNull() {
        assertThat(values("\"x,y\",\"say \"\"hi\"\"\",\"\",", CopyFormat.CSV)).containsExactly("x,y", "say \"hi\"", "", null);
        CopyFormat backslash = CopyFormat.CSV.withEscape((byte) '\\').withDelimiter((byte) ';');
        assertThat(values("'a\\'b';c", backslash.withQuote((byte) '\'').withEscape((byte) '\\')))
                .containsExactly("a'b", "c");
    }

    @Test
    void aWrittenRowReadsBackToTheSameValuesInBothFormats() {
        String[] values = {"tab\there", "back\\slash", "comma,and \"quote\"", "cr\rlf\n", "", null, "\\."};
        for (CopyFormat format : List.of(CopyFormat.TEXT, CopyFormat.CSV, CopyFormat.CSV.withDelimiter((byte) '\t'))) {
            Buffer written = row(format, values);
            byte[] b = written.getBytes();
            List<String> read = new ArrayList<>();
            for (CopyDataRow.Field f : CopyDataRow.split(b, b.length - 1, format)) {
                read.add(f.value() == null ? null : new String(f.value(), StandardCharsets.UTF_8));
            }
            assertThat(read).as(written.toString()).containsExactly(values);
        }
    }

    @Test
    void aLoneBackslashDotIsQuotedInAOneColumnCsvRow() {
        assertThat(row(CopyFormat.CSV, "\\.").toString()).isEqualTo("\"\\.\"\n");
    }

    @Test
    void bytesTheServerNeverWritesAreRefused() {
        assertThatThrownBy(() -> values("a\\", CopyFormat.TEXT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> values("\"open", CopyFormat.CSV)).isInstanceOf(IllegalArgumentException.class);
    }
}
