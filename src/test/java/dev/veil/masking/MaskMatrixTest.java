package dev.veil.masking;

import dev.veil.masking.ColumnType.Kind;
import dev.veil.masking.ColumnType.Wire;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.veil.masking.MaskCases.BINARY;
import static dev.veil.masking.MaskCases.MASK;
import static dev.veil.masking.MaskCases.NO_TYPMOD;
import static dev.veil.masking.MaskCases.UTF8MB4;
import static dev.veil.masking.MaskCases.chars;
import static dev.veil.masking.MaskCases.numeric;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every masker on every type of both dialects in both formats: the result is NULL or a value that reads back
 * as the column's type and fits its limits, and a canary in a text value never comes out of a masker that is
 * not meant to show part of it.
 */
class MaskMatrixTest {
    private static final String CANARY = "CANARY Zed 4111 at secret.example";
    private static final List<String> MASKERS = List.of("redact", "partial", "partial(0)", "email", "pseudonym",
            "hash", "nullify", "date-to-year", "fixed(n/a)", "fixed(0)", "fixed(1970-01-01)");

    private record Sample(ColumnType type, String text) {
    }

    private static List<Sample> postgresSamples() {
        Object[][] rows = {
                {PgColumnTypes.INT2, NO_TYPMOD, "-32768"}, {PgColumnTypes.INT4, NO_TYPMOD, "2147483647"},
                {PgColumnTypes.INT8, NO_TYPMOD, "-9223372036854775808"}, {PgColumnTypes.OID, NO_TYPMOD, "4294967295"},
                {PgColumnTypes.NUMERIC, numeric(6, 2), "-9999.99"}, {PgColumnTypes.NUMERIC, NO_TYPMOD, "NaN"},
                {PgColumnTypes.FLOAT4, NO_TYPMOD, "3.4028235e+38"}, {PgColumnTypes.FLOAT8, NO_TYPMOD, "-Infinity"},
                {PgColumnTypes.BOOL, NO_TYPMOD, "t"}, {PgColumnTypes.TEXT, NO_TYPMOD, CANARY},
                {PgColumnTypes.VARCHAR, chars(3), "żół"}, {PgColumnTypes.BPCHAR, chars(40), CANARY + "      "},
                {PgColumnTypes.NAME, NO_TYPMOD, "ż".repeat(31)}, {PgColumnTypes.JSON, NO_TYPMOD, "{\"c\":\"" + CANARY + "\"}"},
                {PgColumnTypes.JSONB, NO_TYPMOD, "[1, 2]"}, {PgColumnTypes.BYTEA, NO_TYPMOD, "\\x00ff"},
                {PgColumnTypes.DATE, NO_TYPMOD, "2000-02-29"}, {PgColumnTypes.DATE, NO_TYPMOD, "4713-11-24 BC"},
                {PgColumnTypes.TIMESTAMP, NO_TYPMOD, "294276-12-31 23:59:59.999999"},
                {PgColumnTypes.TIMESTAMPTZ, NO_TYPMOD, "1999-12-31 23:59:59.5-09:30"},
                {PgColumnTypes.TIME, NO_TYPMOD, "24:00:00"}, {PgColumnTypes.UUID, NO_TYPMOD, "ffffffff-ffff-ffff-ffff-ffffffffffff"},
                {PgColumnTypes.INET, NO_TYPMOD, "::ffff:10.0.0.1/120"}, {PgColumnTypes.TEXT_ARRAY, NO_TYPMOD, "{a,b}"},
        };
        List<Sample> out = new ArrayList<>();
        for (Object[] r : rows) {
            for (int format : new int[] {0, 1}) {
                ColumnType t = PgColumnTypes.of((Integer) r[0], (Integer) r[1], format);
                if (t.kind() != Kind.ARRAY || format == 0) {
                    out.add(new Sample(t, (String) r[2]));
                }
            }
        }
        return out;
    }

    private static List<Sample> mysqlSamples() {
        Object[][] rows = {
                {MySqlColumnTypes.TINY, 4L, 0, BINARY, 0, "-128"}, {MySqlColumnTypes.SHORT, 5L, 0x20, BINARY, 0, "65535"},
                {MySqlColumnTypes.INT24, 8L, 0, BINARY, 0, "-8388608"}, {MySqlColumnTypes.LONG, 11L, 0, BINARY, 0, "7"},
                {MySqlColumnTypes.LONGLONG, 20L, 0x20, BINARY, 0, "18446744073709551615"},
                {MySqlColumnTypes.NEWDECIMAL, 7L, 0, BINARY, 2, "-9999.99"},
                {MySqlColumnTypes.FLOAT, 12L, 0, BINARY, 31, "1.5"}, {MySqlColumnTypes.DOUBLE, 22L, 0, BINARY, 31, "-1e300"},
                {MySqlColumnTypes.VAR_STRING, 160L, 0, UTF8MB4, 0, CANARY},
                {MySqlColumnTypes.VAR_STRING, 8L, 0, UTF8MB4, 0, "żó"},
                {MySqlColumnTypes.STRING, 40L, 0, MaskCases.LATIN1, 0, CANARY},
                {MySqlColumnTypes.BLOB, 65535L, 0x90, BINARY, 0, CANARY}, {MySqlColumnTypes.JSON, 0L, 0, UTF8MB4, 0, "{}"},
                {MySqlColumnTypes.DATE, 10L, 0, BINARY, 0, "0000-00-00"}, {MySqlColumnTypes.DATE, 10L, 0, BINARY, 0, "9999-12-31"},
                {MySqlColumnTypes.DATETIME, 26L, 0, BINARY, 6, "2024-02-29 23:59:59.999999"},
                {MySqlColumnTypes.TIMESTAMP, 19L, 0, BINARY, 0, "2038-01-19 03:14:07"},
                {MySqlColumnTypes.TIME, 10L, 0, BINARY, 0, "-838:59:59"}, {MySqlColumnTypes.YEAR, 4L, 0, BINARY, 0, "2155"},
                {MySqlColumnTypes.BIT, 10L, 0, BINARY, 0, "\u0003\u00ff"},
        };
        List<Sample> out = new ArrayList<>();
        for (Object[] r : rows) {
            for (boolean binary : new boolean[] {false, true}) {
                ColumnType t = MySqlColumnTypes.of((Integer) r[0], (Long) r[1], (Integer) r[2], (Integer) r[3],
                        (Integer) r[4], binary, null);
                out.add(new Sample(t, (String) r[5]));
            }
        }
        return out;
    }

    /** The sample in the column's encoding: its text, or for a binary format the text read and written back. */
    private static byte[] encoded(Sample s) {
        ColumnType text = s.type().withWire(s.type().wire().text());
        byte[] bytes = s.type().kind() == Kind.BIT ? s.text().getBytes(StandardCharsets.ISO_8859_1)
                : s.text().getBytes(text.charset());
        if (s.type().wire() == Wire.PG_TEXT || s.type().wire() == Wire.MYSQL_TEXT) {
            return bytes;
        }
        Object value = codec(text.wire()).decode(text, bytes);
        return codec(s.type().wire()).encode(s.type(), value);
    }

    private static WireCodec codec(Wire wire) {
        return switch (wire) {
            case PG_TEXT -> PgTextCodec.INSTANCE;
            case PG_BINARY -> PgBinaryCodec.INSTANCE;
            case MYSQL_TEXT -> MySqlTextCodec.INSTANCE;
            case MYSQL_BINARY -> MySqlBinaryCodec.INSTANCE;
        };
    }

    @Test
    void everyResultIsNullOrAValueOfTheColumnThatFitsIt() {
        List<Sample> samples = new ArrayList<>(postgresSamples());
        samples.addAll(mysqlSamples());
        int values = 0;
        for (Sample s : samples) {
            byte[] in = encoded(s);
            for (String masker : MASKERS) {
                byte[] out = MASK.apply(Masker.parse(masker), s.type(), in);
                String what = masker + " of " + s.text() + " as " + s.type();
                if (out == null) {
                    continue;
                }
                values++;
                if (s.type().kind() == Kind.ARRAY) {
                    assertThat(new String(out, StandardCharsets.UTF_8)).as(what).isEqualTo("{}");
                    continue;
                }
                Object read = codec(s.type().wire()).decode(s.type(), out);
                assertThat(ValueFit.fit(s.type(), read)).as(what).isNotNull();
                if (read instanceof String text) {
                    assertThat(ValueFit.text(s.type(), text)).as(what + ": fits the column").isEqualTo(text);
                }
            }
        }
        assertThat(values).as("masked values checked").isGreaterThan(300);
    }

    @Test
    void aCanaryNeverComesOutOfAMaskerThatShowsNoPartOfTheValue() {
        List<Sample> samples = new ArrayList<>(postgresSamples());
        samples.addAll(mysqlSamples());
        for (Sample s : samples) {
            if (!s.text().contains("CANARY")) {
                continue;
            }
            byte[] in = encoded(s);
            for (String masker : List.of("redact", "pseudonym", "hash", "nullify", "date-to-year", "fixed(n/a)",
                    "partial(0)", "email")) {
                byte[] out = MASK.apply(Masker.parse(masker), s.type(), in);
                String shown = out == null ? "" : new String(out, StandardCharsets.ISO_8859_1);
                assertThat(shown).as(masker + " as " + s.type()).doesNotContain("CANARY").doesNotContain("4111")
                        .doesNotContain("Zed");
            }
        }
    }
}
