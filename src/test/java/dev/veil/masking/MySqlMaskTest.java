package dev.veil.masking;

import dev.veil.testing.GoldenHex;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static dev.veil.masking.MaskCases.BINARY;
import static dev.veil.masking.MaskCases.LATIN1;
import static dev.veil.masking.MaskCases.MASK;
import static dev.veil.masking.MaskCases.UTF8MB3;
import static dev.veil.masking.MaskCases.UTF8MB4;
import static dev.veil.masking.MaskCases.mysql;
import static dev.veil.masking.MaskCases.mysqlBinary;
import static dev.veil.masking.MaskCases.mysqlText;
import static dev.veil.masking.MySqlColumnTypes.BIT;
import static dev.veil.masking.MySqlColumnTypes.BLOB;
import static dev.veil.masking.MySqlColumnTypes.DATE;
import static dev.veil.masking.MySqlColumnTypes.DATETIME;
import static dev.veil.masking.MySqlColumnTypes.DOUBLE;
import static dev.veil.masking.MySqlColumnTypes.INT24;
import static dev.veil.masking.MySqlColumnTypes.JSON;
import static dev.veil.masking.MySqlColumnTypes.LONG;
import static dev.veil.masking.MySqlColumnTypes.LONGLONG;
import static dev.veil.masking.MySqlColumnTypes.NEWDECIMAL;
import static dev.veil.masking.MySqlColumnTypes.SHORT;
import static dev.veil.masking.MySqlColumnTypes.STRING;
import static dev.veil.masking.MySqlColumnTypes.TIME;
import static dev.veil.masking.MySqlColumnTypes.TIMESTAMP;
import static dev.veil.masking.MySqlColumnTypes.TINY;
import static dev.veil.masking.MySqlColumnTypes.UNSIGNED_FLAG;
import static dev.veil.masking.MySqlColumnTypes.VAR_STRING;
import static dev.veil.masking.MySqlColumnTypes.YEAR;
import static dev.veil.testing.GoldenHex.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every mask function on MySQL's text rows and binary rows; the binary values against the golden files under
 * {@code golden/mysql/mask-*.hex} (a value's content, without the length byte the row encoder writes).
 */
class MySqlMaskTest {
    /** VARCHAR(5) of utf8mb4: the column length counts 4 bytes a character. */
    private static final ColumnType VARCHAR_5 = mysqlText(VAR_STRING, 20, 0, UTF8MB4, 0);

    private static byte[] golden(String name) {
        return GoldenHex.load("mysql", name);
    }

    private static void assertGolden(byte[] actual, String name) {
        assertThat(actual).as("golden/mysql/%s.hex", name).isNotNull();
        assertThat(hex(actual)).as("golden/mysql/%s.hex", name).isEqualTo(hex(golden(name)));
    }

    private static byte[] binary(String masker, ColumnType type, byte[] value) {
        return MASK.apply(Masker.parse(masker), type, value);
    }

    @Nested
    class TextRows {
        @Test
        void numbersStayNumbersOfTheirColumn() {
            assertThat(mysql("redact", mysqlText(LONG, 11, 0, BINARY, 0), "-42")).isEqualTo("0");
            assertThat(mysql("redact", mysqlText(NEWDECIMAL, 12, 0, BINARY, 2), "1234.56")).isEqualTo("0.00");
            assertThat(mysql("redact", mysqlText(DOUBLE, 22, 0, BINARY, 31), "1.5e300")).isEqualTo("0");
            assertThat(mysql("partial", mysqlText(LONGLONG, 20, UNSIGNED_FLAG, BINARY, 0), "18446744073709551615"))
                    .isEqualTo("1615");
            assertThat(mysql("fixed(-1)", mysqlText(TINY, 3, UNSIGNED_FLAG, BINARY, 0), "7")).isNull();
            assertThat(mysql("fixed(NaN)", mysqlText(DOUBLE, 22, 0, BINARY, 31), "1")).as("MySQL has no NaN").isNull();
        }

        @Test
        void textFitsTheColumnsCharactersAndBytes() {
            assertThat(mysql("email", VARCHAR_5, "a@b.c")).isEqualTo("x@b.c");
            assertThat(mysql("fixed(REDACTED)", VARCHAR_5, "alice")).isEqualTo("REDAC");
            assertThat(mysql("redact", VARCHAR_5, "żółw")).isEqualTo("xxxx");
            assertThat(mysql("fixed(żółwie)", mysqlText(VAR_STRING, 9, 0, UTF8MB3, 0), "abc")).isEqualTo("żół");
            assertThat(mysql("partial(2)", mysqlText(STRING, 6, 0, LATIN1, 0), "Müller")).isEqualTo("xxxxer");
            assertThat(mysql("fixed(żółw)", mysqlText(STRING, 6, 0, LATIN1, 0), "Müller"))
                    .as("latin1 cannot hold ż: a question mark, as MySQL converts it").isEqualTo("?ó?w");
        }

        @Test
        void datesAndTimesKeepTheirTextForm() {
            ColumnType datetime3 = mysqlText(DATETIME, 23, 0, BINARY, 3);
            assertThat(mysql("date-to-year", datetime3, "2024-02-29 13:45:10.123")).isEqualTo("2024-01-01 00:00:00.000");
            assertThat(mysql("date-to-year", mysqlText(DATE, 10, 0, BINARY, 0), "2024-02-29")).isEqualTo("2024-01-01");
            assertThat(mysql("date-to-year", mysqlText(DATE, 10, 0, BINARY, 0), "0000-00-00")).isEqualTo("0000-00-00");
            assertThat(mysql("redact", mysqlText(TIMESTAMP, 19, 0, BINARY, 0), "2024-02-29 13:45:10"))
                    .isEqualTo("1970-01-01 00:00:00");
            assertThat(mysql("redact", mysqlText(TIME, 10, 0, BINARY, 0), "-838:59:59")).isEqualTo("00:00:00");
            assertThat(mysql("redact", mysqlText(YEAR, 4, 0, BINARY, 0), "2024")).isEqualTo("1970");
            assertThat(mysql("date-to-year", mysqlText(YEAR, 4, 0, BINARY, 0), "2024")).isEqualTo("2024");
            assertThat(mysql("fixed(1850)", mysqlText(YEAR, 4, 0, BINARY, 0), "2024")).as("before 1901").isNull();
            assertThat(mysql("date-to-year", mysqlText(TIME, 10, 0, BINARY, 0), "10:00:00")).isNull();
        }

        @Test
        void binaryStringsBitsAndJson() {
            ColumnType blob = mysqlText(BLOB, 65535, 0x80, BINARY, 0);
            assertThat(MASK.apply(new Masker.Redact(), blob, new byte[] {1, 2, 3})).containsExactly(0, 0, 0, 0);
            ColumnType bit3 = mysqlText(BIT, 3, 0, BINARY, 0);
            assertThat(MASK.apply(new Masker.Pseudonym(), bit3, new byte[] {5})).hasSize(1)
                    .satisfies(b -> assertThat(b[0] & 0xf8).as("only the low 3 bits").isZero());
            assertThat(mysql("redact", mysqlText(JSON, 0, 0, UTF8MB4, 0), "{\"ssn\":\"123\"}"))
                    .isEqualTo("\"xxxxxxxxxxxxxxxx\"");
        }

        @Test
        void mariaDbExtendedTypesAreKnownByName() {
            ColumnType uuid = MySqlColumnTypes.of(STRING, 144, 0, UTF8MB4, 0, false, "uuid");
            assertThat(mysql("redact", uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                    .isEqualTo("00000000-0000-0000-0000-000000000000");
            ColumnType json = MySqlColumnTypes.of(BLOB, 0xffffffffL, 0, UTF8MB4, 0, false, "json");
            assertThat(mysql("fixed(n/a)", json, "{}")).isEqualTo("\"n/a\"");
        }
    }

    @Nested
    class BinaryRows {
        @Test
        void datesAreStructsOfTheirLength() {
            ColumnType date = mysqlBinary(DATE, 10, 0, BINARY, 0);
            assertGolden(binary("date-to-year", date, golden("mask-date-2024-02-29")), "mask-date-2024-01-01");
            ColumnType datetime = mysqlBinary(DATETIME, 26, 0, BINARY, 6);
            byte[] leapDay = golden("mask-datetime-2024-02-29-134510.123456");
            assertGolden(binary("date-to-year", datetime, leapDay), "mask-datetime-2024-01-01");
            assertGolden(binary("redact", datetime, leapDay), "mask-datetime-1970-01-01");
            assertThat(binary("date-to-year", datetime, new byte[0])).as("the zero date").isEmpty();
            assertGolden(binary("redact", mysqlBinary(TIME, 10, 0, BINARY, 0),
                    new byte[] {1, 34, 0, 0, 0, 22, 59, 59}), "mask-time-zero");
            assertGolden(binary("redact", mysqlBinary(YEAR, 4, 0, BINARY, 0), new byte[] {(byte) 0xe8, 0x07}),
                    "mask-year-1970");
        }

        @Test
        void numbersKeepTheirFixedSize() {
            assertGolden(binary("redact", mysqlBinary(INT24, 8, 0, BINARY, 0), new byte[] {1, 2, 3, 0}),
                    "mask-int24-zero");
            assertGolden(binary("fixed(1.5)", mysqlBinary(DOUBLE, 22, 0, BINARY, 31), new byte[8]), "mask-double-1.5");
            assertGolden(binary("partial", mysqlBinary(LONGLONG, 20, UNSIGNED_FLAG, BINARY, 0),
                    golden("mask-longlong-unsigned-max")), "mask-longlong-1615");
            assertGolden(binary("redact", mysqlBinary(NEWDECIMAL, 12, 0, BINARY, 2), "1234.56".getBytes(
                    StandardCharsets.US_ASCII)), "mask-decimal-zero-scale-2");
            assertThat(binary("pseudonym", mysqlBinary(TINY, 3, 0, BINARY, 0), new byte[] {-128})).hasSize(1);
            assertThat(binary("pseudonym", mysqlBinary(SHORT, 6, 0, BINARY, 0), new byte[] {1, 0})).hasSize(2);
        }

        @Test
        void anInt24PseudonymStaysWithinMediumint() {
            ColumnType mediumint = mysqlBinary(INT24, 8, 0, BINARY, 0);
            for (int v : new int[] {8388607, -8388608, 8388600, 9999}) {
                byte[] in = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
                int out = ByteBuffer.wrap(binary("pseudonym", mediumint, in)).order(ByteOrder.LITTLE_ENDIAN).getInt();
                assertThat(out).as("pseudonym of %d", v).isBetween(-8388608, 8388607);
                assertThat(Integer.toString(Math.abs(out))).hasSameSizeAs(Integer.toString(Math.abs(v)));
                assertThat(Integer.signum(out)).isEqualTo(Integer.signum(v));
            }
        }

        @Test
        void aMalformedValueBecomesNull() {
            assertThat(binary("redact", mysqlBinary(LONG, 11, 0, BINARY, 0), new byte[] {1, 2})).isNull();
            assertThat(binary("date-to-year", mysqlBinary(DATE, 10, 0, BINARY, 0), new byte[] {1, 2, 3})).isNull();
            assertThat(binary("date-to-year", mysqlBinary(DATE, 10, 0, BINARY, 0), new byte[] {(byte) 0xe8, 7, 0, 0}))
                    .as("a zero month in a non-zero date").isNull();
        }
    }
}
