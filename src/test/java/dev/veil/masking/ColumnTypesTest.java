package dev.veil.masking;

import dev.veil.masking.ColumnType.Kind;
import dev.veil.masking.ColumnType.Wire;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.veil.masking.MaskCases.BINARY;
import static dev.veil.masking.MaskCases.LATIN1;
import static dev.veil.masking.MaskCases.NO_TYPMOD;
import static dev.veil.masking.MaskCases.UTF8MB3;
import static dev.veil.masking.MaskCases.UTF8MB4;
import static dev.veil.masking.MaskCases.chars;
import static dev.veil.masking.MaskCases.numeric;
import static org.assertj.core.api.Assertions.assertThat;

/** Column descriptions of both wires as the mask functions see them. */
class ColumnTypesTest {
    @Test
    void postgresqlTypeModifiersGiveLengthsAndDigits() {
        ColumnType varchar = PgColumnTypes.of(PgColumnTypes.VARCHAR, chars(5), 1);
        assertThat(varchar.kind()).isEqualTo(Kind.TEXT);
        assertThat(varchar.wire()).isEqualTo(Wire.PG_BINARY);
        assertThat(varchar.maxChars()).isEqualTo(5);
        assertThat(PgColumnTypes.of(PgColumnTypes.VARCHAR, NO_TYPMOD, 0).maxChars()).isEqualTo(-1);
        assertThat(PgColumnTypes.of(PgColumnTypes.BPCHAR, chars(3), 0).padded()).isTrue();
        assertThat(PgColumnTypes.of(PgColumnTypes.NAME, NO_TYPMOD, 0).maxBytes()).isEqualTo(63);
        ColumnType money = PgColumnTypes.of(PgColumnTypes.NUMERIC, numeric(10, 2), 0);
        assertThat(money.precision()).isEqualTo(10);
        assertThat(money.scale()).isEqualTo(2);
        ColumnType negativeScale = PgColumnTypes.of(PgColumnTypes.NUMERIC, ((5 << 16) | (0x7ff & -2)) + 4, 0);
        assertThat(negativeScale.scale()).as("numeric(5, -2) of PostgreSQL 15 is left unconstrained").isEqualTo(-1);
        assertThat(PgColumnTypes.of(600, NO_TYPMOD, 0).kind()).isEqualTo(Kind.OTHER);
    }

    @Test
    void mysqlColumnLengthsCountBytesOfTheResultsCharacterSet() {
        ColumnType utf8mb4 = MySqlColumnTypes.of(MySqlColumnTypes.VAR_STRING, 20, 0, UTF8MB4, 0, false, null);
        assertThat(utf8mb4.maxChars()).isEqualTo(5);
        assertThat(utf8mb4.maxBytes()).isEqualTo(20);
        assertThat(MySqlColumnTypes.of(MySqlColumnTypes.VAR_STRING, 15, 0, UTF8MB3, 0, false, null).maxChars())
                .isEqualTo(5);
        ColumnType latin1 = MySqlColumnTypes.of(MySqlColumnTypes.STRING, 5, 0, LATIN1, 0, true, null);
        assertThat(latin1.maxChars()).isEqualTo(5);
        assertThat(latin1.charset()).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(latin1.wire()).isEqualTo(Wire.MYSQL_BINARY);
        assertThat(MySqlColumnTypes.of(MySqlColumnTypes.BLOB, 65535, 0x90, BINARY, 0, false, null).kind())
                .isEqualTo(Kind.BYTES);
        assertThat(MySqlColumnTypes.of(MySqlColumnTypes.VAR_STRING, 40, 0, 9999, 0, false, null).maxChars())
                .as("an unknown character set counts 4 bytes a character").isEqualTo(10);
    }

    @Test
    void mysqlNumbersKeepWidthSignAndDigits() {
        ColumnType mediumint = MySqlColumnTypes.of(MySqlColumnTypes.INT24, 8, 0x20, BINARY, 0, false, null);
        assertThat(mediumint.width()).isEqualTo(3);
        assertThat(mediumint.unsigned()).isTrue();
        ColumnType decimal = MySqlColumnTypes.of(MySqlColumnTypes.NEWDECIMAL, 12, 0, BINARY, 2, false, null);
        assertThat(decimal.precision()).as("DECIMAL(10,2): length 12 with point and sign").isEqualTo(10);
        assertThat(decimal.scale()).isEqualTo(2);
        assertThat(MySqlColumnTypes.of(MySqlColumnTypes.DATETIME, 23, 0, BINARY, 3, false, null).scale()).isEqualTo(3);
        assertThat(MySqlColumnTypes.of(MySqlColumnTypes.BLOB, 0xffffffffL, 0, UTF8MB4, 0, false, "json").kind())
                .isEqualTo(Kind.JSON);
    }
}
