package dev.veil.masking;

import dev.veil.testing.GoldenHex;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static dev.veil.masking.MaskCases.NO_TYPMOD;
import static dev.veil.masking.MaskCases.chars;
import static dev.veil.masking.MaskCases.numeric;
import static dev.veil.masking.MaskCases.pgBinary;
import static dev.veil.masking.PgColumnTypes.BOOL;
import static dev.veil.masking.PgColumnTypes.DATE;
import static dev.veil.masking.PgColumnTypes.FLOAT4;
import static dev.veil.masking.PgColumnTypes.FLOAT8;
import static dev.veil.masking.PgColumnTypes.INET;
import static dev.veil.masking.PgColumnTypes.INT2;
import static dev.veil.masking.PgColumnTypes.INT4;
import static dev.veil.masking.PgColumnTypes.INT8;
import static dev.veil.masking.PgColumnTypes.JSONB;
import static dev.veil.masking.PgColumnTypes.NUMERIC;
import static dev.veil.masking.PgColumnTypes.TEXT_ARRAY;
import static dev.veil.masking.PgColumnTypes.TIME;
import static dev.veil.masking.PgColumnTypes.TIMESTAMP;
import static dev.veil.masking.PgColumnTypes.TIMESTAMPTZ;
import static dev.veil.masking.PgColumnTypes.UUID;
import static dev.veil.masking.PgColumnTypes.VARCHAR;
import static dev.veil.testing.GoldenHex.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mask functions on PostgreSQL's binary format (format code 1), against values written by hand from the
 * types' send functions (the golden files under {@code golden/pg/mask-*.hex} explain each field).
 */
class PgBinaryMaskGoldenTest {
    private static byte[] golden(String name) {
        return GoldenHex.load("pg", name);
    }

    private static void assertGolden(byte[] actual, String name) {
        assertThat(actual).as("golden/pg/%s.hex", name).isNotNull();
        assertThat(hex(actual)).as("golden/pg/%s.hex", name).isEqualTo(hex(golden(name)));
    }

    @Nested
    class Numeric {
        @Test
        void readsAndWritesBase10000Digits() {
            for (String[] c : new String[][] {{"1234.56", "mask-numeric-1234.56"},
                    {"-0.0001", "mask-numeric-minus-0.0001"}, {"0.00", "mask-numeric-zero-scale-2"},
                    {"5.67", "mask-numeric-5.67"}}) {
                assertThat(PgNumeric.decode(golden(c[1]))).as(c[1]).isEqualTo(new BigDecimal(c[0]));
                assertGolden(PgNumeric.encode(new BigDecimal(c[0])), c[1]);
            }
            assertThat(PgNumeric.decode(golden("mask-numeric-nan"))).isEqualTo(Special.NAN);
        }

        @Test
        void redactKeepsTheColumnsScale() {
            assertGolden(pgBinary("redact", NUMERIC, numeric(8, 2), golden("mask-numeric-1234.56")),
                    "mask-numeric-zero-scale-2");
        }

        @Test
        void partialKeepsTheLastDigitsOfTheUnscaledValue() {
            byte[] v = PgNumeric.encode(new BigDecimal("12345.67"));
            assertGolden(pgBinary("partial(3)", NUMERIC, NO_TYPMOD, v), "mask-numeric-5.67");
        }

        @Test
        void nanStaysNanUnderPseudonymAndPartial() {
            assertGolden(pgBinary("pseudonym", NUMERIC, NO_TYPMOD, golden("mask-numeric-nan")), "mask-numeric-nan");
            assertGolden(pgBinary("partial", NUMERIC, NO_TYPMOD, golden("mask-numeric-nan")), "mask-numeric-nan");
        }

        @Test
        void aPseudonymKeepsSignDigitsAndScale() {
            byte[] masked = pgBinary("pseudonym", NUMERIC, NO_TYPMOD, golden("mask-numeric-minus-0.0001"));
            BigDecimal v = (BigDecimal) PgNumeric.decode(masked);
            assertThat(v.signum()).isEqualTo(-1);
            assertThat(v.scale()).isEqualTo(4);
            assertThat(v.unscaledValue().abs().toString()).hasSize(1);
        }
    }

    @Nested
    class Dates {
        @Test
        void dateToYearCountsDaysFromTheYear2000() {
            assertGolden(pgBinary("date-to-year", DATE, NO_TYPMOD, golden("mask-date-2024-02-29")),
                    "mask-date-2024-01-01");
            assertGolden(pgBinary("date-to-year", DATE, NO_TYPMOD, golden("mask-date-1999-12-31")),
                    "mask-date-1999-01-01");
            assertGolden(pgBinary("date-to-year", DATE, NO_TYPMOD, golden("mask-date-0044-03-15-bc")),
                    "mask-date-0044-01-01-bc");
            assertGolden(pgBinary("date-to-year", DATE, NO_TYPMOD, golden("mask-date-infinity")),
                    "mask-date-infinity");
        }

        @Test
        void timestampsCountMicroseconds() {
            byte[] leapDay = golden("mask-timestamp-2024-02-29-134510.123456");
            assertGolden(pgBinary("date-to-year", TIMESTAMP, NO_TYPMOD, leapDay), "mask-timestamp-2024-01-01");
            assertGolden(pgBinary("date-to-year", TIMESTAMPTZ, NO_TYPMOD, leapDay), "mask-timestamp-2024-01-01");
            assertGolden(pgBinary("redact", TIMESTAMP, NO_TYPMOD, leapDay), "mask-timestamp-1970-01-01");
            assertGolden(pgBinary("redact", TIME, NO_TYPMOD, ByteBuffer.allocate(8).putLong(49510123456L).array()),
                    "mask-time-midnight");
        }

        @Test
        void infinityOfATimestampIsKept() {
            byte[] infinity = ByteBuffer.allocate(8).putLong(Long.MAX_VALUE).array();
            assertThat(pgBinary("date-to-year", TIMESTAMP, NO_TYPMOD, infinity)).isEqualTo(infinity);
        }

        @Test
        void aPseudonymDateStaysInItsYear() {
            byte[] masked = pgBinary("pseudonym", DATE, NO_TYPMOD, golden("mask-date-2024-02-29"));
            int days = ByteBuffer.wrap(masked).getInt();
            assertThat(days).isBetween(8766, 8766 + 365);
        }
    }

    @Nested
    class FixedSizeTypes {
        @Test
        void integersKeepTheirWidth() {
            assertThat(pgBinary("redact", INT2, NO_TYPMOD, new byte[] {0x12, 0x34})).containsExactly(0, 0);
            assertThat(pgBinary("pseudonym", INT2, NO_TYPMOD, new byte[] {0x7f, (byte) 0xff})).hasSize(2);
            assertThat(pgBinary("pseudonym", INT4, NO_TYPMOD, new byte[] {0, 0, 0, 7})).hasSize(4);
            assertThat(pgBinary("partial", INT8, NO_TYPMOD, ByteBuffer.allocate(8).putLong(123456789L).array()))
                    .isEqualTo(ByteBuffer.allocate(8).putLong(6789L).array());
        }

        @Test
        void floatsBoolsAndUuidsKeepTheirSize() {
            assertThat(pgBinary("redact", FLOAT4, NO_TYPMOD, ByteBuffer.allocate(4).putFloat(3.5f).array()))
                    .containsExactly(0, 0, 0, 0);
            assertThat(pgBinary("pseudonym", FLOAT8, NO_TYPMOD, ByteBuffer.allocate(8).putDouble(-3.5).array()))
                    .hasSize(8);
            assertThat(pgBinary("redact", BOOL, NO_TYPMOD, new byte[] {1})).containsExactly(0);
            assertThat(pgBinary("pseudonym", BOOL, NO_TYPMOD, new byte[] {1})).as("no pseudonym for a bool").isNull();
            assertThat(pgBinary("redact", UUID, NO_TYPMOD, new byte[16])).hasSize(16);
        }

        @Test
        void aMalformedValueBecomesNull() {
            assertThat(pgBinary("redact", INT4, NO_TYPMOD, new byte[] {1, 2})).isNull();
            assertThat(pgBinary("redact", NUMERIC, NO_TYPMOD, new byte[] {0, 5, 0, 0, 0, 0, 0, 0})).isNull();
            assertThat(pgBinary("redact", JSONB, NO_TYPMOD, new byte[] {2, '{', '}'})).isNull();
        }
    }

    @Nested
    class VariableTypes {
        @Test
        void jsonbKeepsItsVersionByte() {
            byte[] doc = ("\u0001{\"a\":1}").getBytes(StandardCharsets.UTF_8);
            assertGolden(pgBinary("redact", JSONB, NO_TYPMOD, doc), "mask-jsonb-redacted");
        }

        @Test
        void inetKeepsFamilyAndNetmask() {
            byte[] v = {2, 24, 0, 4, (byte) 192, (byte) 168, 1, 7};
            assertGolden(pgBinary("redact", INET, NO_TYPMOD, v), "mask-inet-redacted-slash-24");
            byte[] p = pgBinary("pseudonym", INET, NO_TYPMOD, v);
            assertThat(p).hasSize(8).startsWith(2, 24, 0, 4);
        }

        @Test
        void aTextArrayRedactsToAnEmptyArrayOfItsElementType() {
            byte[] oneElement = ByteBuffer.allocate(12 + 8 + 4 + 1).putInt(1).putInt(0).putInt(25).putInt(1)
                    .putInt(1).putInt(1).put((byte) 'a').array();
            assertGolden(pgBinary("redact", TEXT_ARRAY, NO_TYPMOD, oneElement), "mask-text-array-empty");
        }

        @Test
        void varcharCountsCharactersNotBytes() {
            byte[] v = "żółw@x.pl".getBytes(StandardCharsets.UTF_8);
            byte[] masked = pgBinary("email", VARCHAR, chars(9), v);
            assertThat(new String(masked, StandardCharsets.UTF_8)).isEqualTo("xxxx@x.pl");
            assertThat(pgBinary("pseudonym", VARCHAR, chars(4), "żółw".getBytes(StandardCharsets.UTF_8)))
                    .hasSizeLessThanOrEqualTo(7);
        }
    }
}
