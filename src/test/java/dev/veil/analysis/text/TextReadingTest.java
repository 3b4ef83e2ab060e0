package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextReadingTest {
    private static final LexicalSettings PG = LexicalSettings.defaults(Dialect.POSTGRESQL);

    @Test
    void theSecondReaderOfTheSameTextOnAThreadGetsTheFirstReading() {
        String sql = "SELECT abalance FROM pgbench_accounts WHERE aid = 42";
        TextReading first = TextReading.of(PG, sql);
        assertThat(TextReading.of(PG, new String(sql))).isSameAs(first);
        assertThat(first.fingerprint()).isEqualTo(Fingerprinter.fingerprint(new SqlTokenizer(PG).tokenize(sql)));
    }

    @Test
    void anotherTextOrOtherLexicalSettingsAreReadAgain() {
        String sql = "SELECT 'a\\' FROM t";
        TextReading standard = TextReading.of(PG, sql);
        LexicalSettings escapes = new LexicalSettings(Dialect.POSTGRESQL, false, PG.backslashEscapes(), PG.ansiQuotes());
        TextReading withEscapes = TextReading.of(escapes, sql);
        assertThat(withEscapes).isNotSameAs(standard);
        // Under standard_conforming_strings off the backslash escapes the quote: the literal never closes.
        assertThat(standard.tokens().malformed()).isFalse();
        assertThat(withEscapes.tokens().malformed()).isTrue();
        assertThat(TextReading.of(PG, "SELECT 2").tokens().sql()).isEqualTo("SELECT 2");
    }

    @Test
    void aLongTextIsNotRemembered() {
        String sql = "SELECT '" + "x".repeat(TextReading.REMEMBERED_CHARS) + "'";
        TextReading first = TextReading.of(PG, sql);
        TextReading second = TextReading.of(PG, sql);
        assertThat(second).isNotSameAs(first);
        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    }

    @Test
    void aNullTextReadsAsEmpty() {
        assertThat(TextReading.of(PG, null).tokens().all()).isEmpty();
    }
}
