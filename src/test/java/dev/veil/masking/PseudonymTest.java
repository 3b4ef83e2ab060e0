package dev.veil.masking;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;

import static dev.veil.masking.MaskCases.BINARY;
import static dev.veil.masking.MaskCases.BINARY_FORMAT;
import static dev.veil.masking.MaskCases.NO_TYPMOD;
import static dev.veil.masking.MaskCases.TEXT_FORMAT;
import static dev.veil.masking.MaskCases.UTF8MB4;
import static dev.veil.masking.MaskCases.chars;
import static dev.veil.masking.MaskCases.pg;
import static dev.veil.masking.MaskCases.text;
import static dev.veil.masking.PgColumnTypes.DATE;
import static dev.veil.masking.PgColumnTypes.FLOAT8;
import static dev.veil.masking.PgColumnTypes.INT2;
import static dev.veil.masking.PgColumnTypes.INT4;
import static dev.veil.masking.PgColumnTypes.NUMERIC;
import static dev.veil.masking.PgColumnTypes.TEXT;
import static dev.veil.masking.PgColumnTypes.TIMESTAMPTZ;
import static dev.veil.masking.PgColumnTypes.UUID;
import static dev.veil.masking.PgColumnTypes.VARCHAR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The keyed pseudonym: deterministic per secret, unrelated across secrets, the same on every wire and format. */
class PseudonymTest {
    private static final Masker PSEUDONYM = new Masker.Pseudonym();
    private static final ColumnType PG_TEXT = PgColumnTypes.of(TEXT, NO_TYPMOD, TEXT_FORMAT);

    private static String pseudonym(MaskFunctions f, String value) {
        return text(f.apply(PSEUDONYM, PG_TEXT, value.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    private static MaskFunctions withSecret(String secret) {
        return new MaskFunctions(secret.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSameValueGetsTheSamePseudonymSoJoinsStillMatch() {
        MaskFunctions a = withSecret("environment one secret, 32 bytes");
        MaskFunctions again = withSecret("environment one secret, 32 bytes");
        assertThat(pseudonym(a, "alice@example.com")).isEqualTo(pseudonym(again, "alice@example.com"))
                .isNotEqualTo("alice@example.com");
        assertThat(pseudonym(a, "alice@example.com")).isNotEqualTo(pseudonym(a, "alice@example.org"));
    }

    @Test
    void anotherSecretGivesUnrelatedPseudonyms() {
        MaskFunctions one = withSecret("environment one secret, 32 bytes");
        MaskFunctions two = withSecret("environment two secret, 32 bytes");
        int same = 0;
        for (int i = 0; i < 50; i++) {
            if (pseudonym(one, "customer-" + i).equals(pseudonym(two, "customer-" + i))) {
                same++;
            }
        }
        assertThat(same).isZero();
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> withSecret("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16 bytes");
    }

    @Test
    void textAndBinaryFormatsOfOneValueGetOnePseudonym() {
        byte[] asBinary = ByteBuffer.allocate(4).putInt(123456).array();
        byte[] masked = MaskCases.MASK.apply(PSEUDONYM, PgColumnTypes.of(INT4, NO_TYPMOD, BINARY_FORMAT), asBinary);
        assertThat(Integer.toString(ByteBuffer.wrap(masked).getInt())).isEqualTo(pg("pseudonym", INT4, "123456"));
        byte[] date = ByteBuffer.allocate(4).putInt(8825).array();
        byte[] maskedDate = MaskCases.MASK.apply(PSEUDONYM, PgColumnTypes.of(DATE, NO_TYPMOD, BINARY_FORMAT), date);
        assertThat(LocalDate.of(2000, 1, 1).plusDays(ByteBuffer.wrap(maskedDate).getInt()).toString())
                .isEqualTo(pg("pseudonym", DATE, "2024-02-29"));
    }

    @Test
    void postgresqlAndMysqlGiveOneValueOnePseudonym() {
        ColumnType varchar = MaskCases.mysqlText(MySqlColumnTypes.VAR_STRING, 400, 0, UTF8MB4, 0);
        assertThat(MaskCases.mysql("pseudonym", varchar, "Ada Lovelace")).isEqualTo(pg("pseudonym", TEXT, "Ada Lovelace"));
        ColumnType bigint = MaskCases.mysqlText(MySqlColumnTypes.LONGLONG, 20, 0, BINARY, 0);
        assertThat(MaskCases.mysql("pseudonym", bigint, "987654321")).isEqualTo(pg("pseudonym", INT4, "987654321"));
    }

    @Test
    void textKeepsItsLengthAndTheClassOfEachCharacter() {
        String p = pg("pseudonym", TEXT, "Ada Lovelace, +44 20-7946-0958");
        assertThat(p).hasSize(30).isNotEqualTo("Ada Lovelace, +44 20-7946-0958")
                .matches("[A-Z][a-z]{2} [A-Z][a-z]{7}, \\+\\d{2} \\d{2}-\\d{4}-\\d{4}");
        assertThat(pg("pseudonym", TEXT, "")).isEmpty();
        assertThat(pg("pseudonym", VARCHAR, chars(4), "żółw")).matches("[a-z]{4}");
    }

    @Test
    void numbersKeepSignDigitsAndTheirTypesRange() {
        assertThat(pg("pseudonym", INT4, "123456789")).matches("[1-9]\\d{8}").isNotEqualTo("123456789");
        assertThat(pg("pseudonym", INT4, "-42")).matches("-[1-9]\\d");
        assertThat(pg("pseudonym", INT4, "0")).isEqualTo("0");
        Set<String> seen = new HashSet<>();
        for (int v = 32700; v <= 32767; v++) {
            String p = pg("pseudonym", INT2, Integer.toString(v));
            assertThat(Integer.parseInt(p)).isBetween(10000, 32767);
            seen.add(p);
        }
        assertThat(seen).as("distinct inputs mostly keep distinct pseudonyms").hasSizeGreaterThan(60);
        assertThat(pg("pseudonym", NUMERIC, "-1234.50")).matches("-[1-9]\\d{3}\\.\\d{2}");
        assertThat(pg("pseudonym", NUMERIC, "Infinity")).isEqualTo("Infinity");
        assertThat(pg("pseudonym", FLOAT8, "-3.5")).satisfies(p -> assertThat(Double.parseDouble(p)).isBetween(-4.0, -2.0));
        assertThat(pg("pseudonym", FLOAT8, "NaN")).isEqualTo("NaN");
    }

    @Test
    void numericsOfEqualValueShareAPseudonymSeed() {
        String five = pg("pseudonym", NUMERIC, "5.00");
        String fiveAgain = pg("pseudonym", NUMERIC, "5.0000");
        // One seed draws the same digits: 5.00 takes the first three, 5.0000 the first five.
        assertThat(fiveAgain.replace(".", "")).startsWith(five.replace(".", ""));
    }

    @Test
    void datesStayInTheirYearAndUuidsStayUuids() {
        assertThat(pg("pseudonym", DATE, "1987-06-05")).startsWith("1987-");
        assertThat(pg("pseudonym", DATE, "0044-03-15 BC")).startsWith("0044-").endsWith(" BC");
        assertThat(pg("pseudonym", TIMESTAMPTZ, "2024-07-04 10:00:00+05:30")).startsWith("2024-").endsWith("+05:30");
        assertThat(pg("pseudonym", UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void hashAndPseudonymAreUnrelated() {
        assertThat(pg("hash", TEXT, "alice")).doesNotContain(pg("pseudonym", TEXT, "alice"));
        assertThat(pg("hash", TEXT, "alice")).isNotEqualTo(
                text(withSecret("environment two secret, 32 bytes").apply(new Masker.Hash(), PG_TEXT,
                        "alice".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
    }
}
