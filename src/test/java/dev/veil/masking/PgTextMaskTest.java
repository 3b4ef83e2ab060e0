package dev.veil.masking;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static dev.veil.masking.MaskCases.chars;
import static dev.veil.masking.MaskCases.numeric;
import static dev.veil.masking.MaskCases.pg;
import static dev.veil.masking.PgColumnTypes.BOOL;
import static dev.veil.masking.PgColumnTypes.BPCHAR;
import static dev.veil.masking.PgColumnTypes.BYTEA;
import static dev.veil.masking.PgColumnTypes.DATE;
import static dev.veil.masking.PgColumnTypes.FLOAT4;
import static dev.veil.masking.PgColumnTypes.FLOAT8;
import static dev.veil.masking.PgColumnTypes.INET;
import static dev.veil.masking.PgColumnTypes.INT2;
import static dev.veil.masking.PgColumnTypes.INT4;
import static dev.veil.masking.PgColumnTypes.INT8;
import static dev.veil.masking.PgColumnTypes.JSON;
import static dev.veil.masking.PgColumnTypes.JSONB;
import static dev.veil.masking.PgColumnTypes.NAME;
import static dev.veil.masking.PgColumnTypes.NUMERIC;
import static dev.veil.masking.PgColumnTypes.TEXT;
import static dev.veil.masking.PgColumnTypes.TEXT_ARRAY;
import static dev.veil.masking.PgColumnTypes.TIME;
import static dev.veil.masking.PgColumnTypes.TIMESTAMP;
import static dev.veil.masking.PgColumnTypes.TIMESTAMPTZ;
import static dev.veil.masking.PgColumnTypes.UUID;
import static dev.veil.masking.PgColumnTypes.VARCHAR;
import static dev.veil.masking.PgColumnTypes.VARCHAR_ARRAY;
import static org.assertj.core.api.Assertions.assertThat;

/** Every mask function on PostgreSQL's text format (format code 0), per type. */
class PgTextMaskTest {
    private static final int POINT = 600;

    @Nested
    class Redact {
        @Test
        void numbersBecomeZeroOfTheirType() {
            assertThat(pg("redact", INT4, "12345")).isEqualTo("0");
            assertThat(pg("redact", INT8, "-9")).isEqualTo("0");
            assertThat(pg("redact", NUMERIC, numeric(8, 2), "1234.56")).isEqualTo("0.00");
            assertThat(pg("redact", NUMERIC, "NaN")).isEqualTo("0");
            assertThat(pg("redact", FLOAT8, "3.14")).isEqualTo("0");
            assertThat(pg("redact", BOOL, "t")).isEqualTo("f");
        }

        @Test
        void textKeepsOnlyItsLengthClassAndFitsTheColumn() {
            assertThat(pg("redact", TEXT, "alice")).isEqualTo("xxxxxxxx");
            assertThat(pg("redact", TEXT, "bob")).isEqualTo("xxxx");
            assertThat(pg("redact", TEXT, "")).isEqualTo("");
            assertThat(pg("redact", VARCHAR, chars(5), "alice")).isEqualTo("xxxxx");
            assertThat(pg("redact", BPCHAR, chars(6), "ab    ")).isEqualTo("xxxx  ");
            assertThat(pg("redact", TEXT, "żółw")).as("four characters, seven bytes").isEqualTo("xxxx");
            assertThat(pg("redact", NAME, "a".repeat(63))).hasSize(63);
        }

        @Test
        void datesAndTimesBecomeTheEpochOfTheirType() {
            assertThat(pg("redact", DATE, "2024-02-29")).isEqualTo("1970-01-01");
            assertThat(pg("redact", TIMESTAMP, "2024-02-29 13:45:10.5")).isEqualTo("1970-01-01 00:00:00");
            assertThat(pg("redact", TIMESTAMPTZ, "2024-02-29 13:45:10+01")).isEqualTo("1970-01-01 00:00:00+00");
            assertThat(pg("redact", TIME, "13:45:10.5")).isEqualTo("00:00:00");
            assertThat(pg("redact", DATE, "infinity")).isEqualTo("1970-01-01");
        }

        @Test
        void otherTypesKeepTheirTypeToo() {
            assertThat(pg("redact", UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                    .isEqualTo("00000000-0000-0000-0000-000000000000");
            assertThat(pg("redact", INET, "192.168.1.7/24")).isEqualTo("0.0.0.0/24");
            assertThat(pg("redact", INET, "2001:db8::1")).isEqualTo("0:0:0:0:0:0:0:0");
            assertThat(pg("redact", JSON, "{\"a\":1}")).isEqualTo("\"xxxxxxxx\"");
            assertThat(pg("redact", JSONB, "{\"a\": 1}")).isEqualTo("\"xxxxxxxx\"");
            assertThat(pg("redact", BYTEA, "\\x0102")).isEqualTo("\\x00000000");
            assertThat(pg("redact", TEXT_ARRAY, "{alice,bob}")).isEqualTo("{}");
            assertThat(pg("redact", VARCHAR_ARRAY, "{alice}")).isEqualTo("{}");
        }

        @Test
        void aTypeMaskingDoesNotKnowBecomesNull() {
            assertThat(pg("redact", POINT, "(1,2)")).isNull();
        }
    }

    @Nested
    class Partial {
        @Test
        void keepsTheLastCharacters() {
            assertThat(pg("partial", TEXT, "4111111111111111")).isEqualTo("xxxxxxxxxxxx1111");
            assertThat(pg("partial(2)", TEXT, "żółw1234")).isEqualTo("xxxxxx34");
            assertThat(pg("partial(4)", BPCHAR, chars(10), "12345678  ")).isEqualTo("xxxx5678  ");
        }

        @Test
        void aValueNoLongerThanWhatWouldBeKeptIsMaskedWhole() {
            assertThat(pg("partial", TEXT, "1234")).isEqualTo("xxxx");
            assertThat(pg("partial", TEXT, "abc")).isEqualTo("xxx");
            assertThat(pg("partial", TEXT, "")).isEqualTo("");
            assertThat(pg("partial", INT4, "123")).isEqualTo("0");
        }

        @Test
        void numbersKeepTheirLastDigits() {
            assertThat(pg("partial", INT8, "123456789")).isEqualTo("6789");
            assertThat(pg("partial", INT4, "-123456")).isEqualTo("3456");
            assertThat(pg("partial(3)", NUMERIC, "12345.67")).isEqualTo("5.67");
            assertThat(pg("partial", NUMERIC, "NaN")).isEqualTo("NaN");
            assertThat(pg("partial", FLOAT8, "12345.5")).as("floats are redacted").isEqualTo("0");
        }

        @Test
        void aUuidKeepsItsLastHexDigits() {
            assertThat(pg("partial", UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                    .isEqualTo("00000000-0000-0000-0000-000000000a11");
        }

        @Test
        void otherKindsAreRedacted() {
            assertThat(pg("partial", DATE, "2024-02-29")).isEqualTo("1970-01-01");
        }
    }

    @Nested
    class Email {
        @Test
        void masksTheLocalPartAndKeepsTheDomain() {
            assertThat(pg("email", TEXT, "alice@example.com")).isEqualTo("xxxxx@example.com");
            assertThat(pg("email", TEXT, "żółw@example.pl")).isEqualTo("xxxx@example.pl");
            assertThat(pg("email", TEXT, "a\"b@c\"@example.com")).isEqualTo("xxxxxx@example.com");
        }

        @Test
        void fitsALengthLimitedColumn() {
            assertThat(pg("email", VARCHAR, chars(5), "a@b.c")).isEqualTo("x@b.c");
            assertThat(pg("email", BPCHAR, chars(8), "a@b.c   ")).isEqualTo("x@b.c   ");
        }

        @Test
        void whatIsNotAnAddressIsRedacted() {
            assertThat(pg("email", TEXT, "no-at-sign")).isEqualTo("xxxxxxxxxxxxxxxx");
            assertThat(pg("email", TEXT, "trailing@")).isEqualTo("xxxxxxxxxxxxxxxx");
            assertThat(pg("email", INT4, "42")).isEqualTo("0");
        }
    }

    @Nested
    class DateToYear {
        @Test
        void aDateBecomesJanuaryFirstOfItsYear() {
            assertThat(pg("date-to-year", DATE, "2024-02-29")).isEqualTo("2024-01-01");
            assertThat(pg("date-to-year", DATE, "1999-12-31")).isEqualTo("1999-01-01");
            assertThat(pg("date-to-year", DATE, "0044-03-15 BC")).isEqualTo("0044-01-01 BC");
            assertThat(pg("date-to-year", DATE, "infinity")).isEqualTo("infinity");
            assertThat(pg("date-to-year", DATE, "-infinity")).isEqualTo("-infinity");
        }

        @Test
        void aTimestampBecomesMidnightOfJanuaryFirstInItsOwnOffset() {
            assertThat(pg("date-to-year", TIMESTAMP, "2024-02-29 13:45:10.123456"))
                    .isEqualTo("2024-01-01 00:00:00");
            assertThat(pg("date-to-year", TIMESTAMPTZ, "2024-07-04 10:00:00+05:30"))
                    .isEqualTo("2024-01-01 00:00:00+05:30");
            assertThat(pg("date-to-year", TIMESTAMPTZ, "0001-12-31 23:59:59-08 BC"))
                    .isEqualTo("0001-01-01 00:00:00-08 BC");
        }

        @Test
        void whatHasNoYearBecomesNull() {
            assertThat(pg("date-to-year", TEXT, "2024-02-29")).isNull();
            assertThat(pg("date-to-year", TIME, "10:00:00")).isNull();
            assertThat(pg("date-to-year", INT4, "2024")).isNull();
        }
    }

    @Nested
    class Fixed {
        @Test
        void textGetsTheValueCutToTheColumn() {
            assertThat(pg("fixed(n/a)", TEXT, "alice")).isEqualTo("n/a");
            assertThat(pg("fixed(n/a)", VARCHAR, chars(2), "al")).isEqualTo("n/");
            assertThat(pg("fixed(n/a)", BPCHAR, chars(5), "alice")).isEqualTo("n/a  ");
        }

        @Test
        void otherTypesReadTheValueAsTheirOwn() {
            assertThat(pg("fixed(0)", INT4, "12345")).isEqualTo("0");
            assertThat(pg("fixed(1900-01-01)", DATE, "2024-02-29")).isEqualTo("1900-01-01");
            assertThat(pg("fixed(1.005)", NUMERIC, numeric(5, 2), "123.45")).isEqualTo("1.01");
            assertThat(pg("fixed(say \"hi\")", JSON, "{}")).isEqualTo("\"say \\\"hi\\\"\"");
            assertThat(pg("fixed(n/a)", BYTEA, "\\x01")).isEqualTo("\\x6e2f61");
        }

        @Test
        void aValueTheColumnCannotHoldBecomesNull() {
            assertThat(pg("fixed(99999)", INT2, "1")).isNull();
            assertThat(pg("fixed(abc)", INT4, "1")).isNull();
            assertThat(pg("fixed(1000.00)", NUMERIC, numeric(5, 2), "1.00")).isNull();
            assertThat(pg("fixed(soon)", DATE, "2024-02-29")).isNull();
        }
    }

    @Nested
    class Hash {
        @Test
        void textGetsAHexDigestCutToTheColumn() {
            String full = pg("hash", TEXT, "alice");
            assertThat(full).matches("[0-9a-f]{64}");
            assertThat(pg("hash", VARCHAR, chars(10), "alice")).isEqualTo(full.substring(0, 10));
            assertThat(pg("hash", TEXT, "alice")).isEqualTo(full);
            assertThat(pg("hash", TEXT, "alicf")).isNotEqualTo(full);
        }

        @Test
        void aUuidGetsTheDigestAsAUuid() {
            assertThat(pg("hash", UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                    .isNotEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        }

        @Test
        void aKindWithoutAHexFormBecomesNull() {
            assertThat(pg("hash", INT4, "12345")).isNull();
            assertThat(pg("hash", DATE, "2024-02-29")).isNull();
        }
    }

    @Nested
    class Nullify {
        @Test
        void everyValueBecomesNull() {
            assertThat(pg("nullify", TEXT, "alice")).isNull();
            assertThat(pg("nullify", INT4, "1")).isNull();
            assertThat(pg("nullify", TEXT_ARRAY, "{a}")).isNull();
        }
    }

    @Nested
    class FailClosed {
        @Test
        void nullStaysNullWhateverTheMasker() {
            for (String masker : new String[] {"redact", "partial", "email", "pseudonym", "hash", "nullify",
                    "date-to-year", "fixed(x)"}) {
                assertThat(pg(masker, TEXT, null)).as(masker).isNull();
            }
        }

        @Test
        void aValueThatDoesNotReadAsItsTypeBecomesNullNotTheOriginal() {
            assertThat(pg("redact", DATE, "02/29/2024")).as("DateStyle SQL").isNull();
            assertThat(pg("date-to-year", TIMESTAMP, "Thu Feb 29 13:45:10 2024")).as("DateStyle Postgres").isNull();
            assertThat(pg("redact", BYTEA, "ab\\000c")).as("bytea_output escape").isNull();
            assertThat(pg("pseudonym", INT4, "twelve")).isNull();
        }

        @Test
        void arraysAreOnlyRedactedOrNullified() {
            assertThat(pg("pseudonym", TEXT_ARRAY, "{alice}")).isNull();
            assertThat(pg("partial", TEXT_ARRAY, "{alice}")).isNull();
            assertThat(pg("email", TEXT_ARRAY, "{a@b.c}")).isNull();
        }

        @Test
        void aFloat4KeepsItsOwnRange() {
            assertThat(pg("fixed(1e300)", FLOAT4, "1")).isNull();
            assertThat(pg("fixed(1e300)", FLOAT8, "1")).isEqualTo("1e+300");
        }
    }
}
