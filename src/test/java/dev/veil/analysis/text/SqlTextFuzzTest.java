package dev.veil.analysis.text;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.StatementKind;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzz target for the statement text path: the tokenizer, the statement splitter, the fingerprint and the
 * conservative scan, over any text (the input's bytes read as UTF-8, as the front ends read a statement) in
 * both dialects and under every lexical setting that changes how the server cuts text. `make test` runs it on
 * its checked-in inputs ({@code SqlTextFuzzTestInputs/sqlText/}); `make fuzz` fuzzes it (docs/testing.md).
 */
class SqlTextFuzzTest {
    private static final List<LexicalSettings> SETTINGS = List.of(
            LexicalSettings.defaults(Dialect.POSTGRESQL),
            LexicalSettings.defaults(Dialect.POSTGRESQL).withStandardConformingStrings(false),
            LexicalSettings.defaults(Dialect.MYSQL),
            LexicalSettings.defaults(Dialect.MYSQL).withBackslashEscapes(false),
            LexicalSettings.defaults(Dialect.MYSQL).withAnsiQuotes(true));

    /**
     * Nothing throws; the tokens cover the text in order with nothing but whitespace between them (a character
     * no token covers would be text the analysis never saw); statements are ordered windows of the text; the
     * fingerprint is the same however often it is taken; a malformed text is never scanned as less than UNKNOWN.
     */
    @FuzzTest
    void sqlText(byte[] input) {
        String sql = new String(input, StandardCharsets.UTF_8);
        for (LexicalSettings settings : SETTINGS) {
            Tokens tokens = new SqlTokenizer(settings).tokenize(sql);
            assertTokensCover(sql, tokens, settings);
            assertStatementsAreWindows(sql, tokens);
            Fingerprint fingerprint = Fingerprinter.fingerprint(tokens);
            assertThat(Fingerprinter.fingerprint(new SqlTokenizer(settings).tokenize(sql))).isEqualTo(fingerprint);
            assertThat(fingerprint.hash()).isEqualTo(Fingerprinter.hash(settings.dialect(), fingerprint.normalized()));
            if (tokens.malformed()) {
                assertThat(ConservativeScan.scan(tokens).kind()).as("%s: %s", settings, tokens.problems())
                        .isEqualTo(StatementKind.UNKNOWN);
            }
        }
    }

    private static void assertTokensCover(String sql, Tokens tokens, LexicalSettings settings) {
        int previousEnd = 0;
        for (Token t : tokens.all()) {
            // Checked without AssertJ, as below: this runs for every token of every input.
            boolean window = t.start() >= previousEnd && t.end() <= sql.length()
                    && (t.end() > t.start() || (t.kind() == TokenKind.ERROR && t.end() == t.start()));
            if (!window || !t.text().equals(sql.substring(t.start(), t.end()))) {
                fail("%s is not a window of the text after the token before it, which ends at %d; only an ERROR may be"
                        + " empty (%s)", t, previousEnd, settings);
            }
            assertWhitespace(sql, previousEnd, t.start(), settings);
            previousEnd = t.end();
        }
        assertWhitespace(sql, previousEnd, sql.length(), settings);
        assertThat(tokens.malformed()).isEqualTo(tokens.all().stream().anyMatch(t -> t.kind() == TokenKind.ERROR));
    }

    /** What the servers' lexers skip between tokens: space, tab, newline, carriage return, form feed (MySQL: and VT). */
    private static void assertWhitespace(String sql, int from, int to, LexicalSettings settings) {
        for (int i = from; i < to; i++) {
            char c = sql.charAt(i);
            boolean space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || (!settings.postgres() && c == 0x0B);
            if (!space) {
                fail("character U+%04X at %d, between tokens, is not whitespace (%s)", (int) c, i, settings);
            }
        }
    }

    private static void assertStatementsAreWindows(String sql, Tokens tokens) {
        int previousEnd = 0;
        int index = 0;
        for (StatementText s : StatementSplitter.split(tokens)) {
            assertThat(s.index()).isEqualTo(index++);
            assertThat(s.start()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(s.sql()).isEqualTo(sql.substring(s.start(), s.end()));
            for (Token t : s.tokens()) {
                if (t.start() < s.start() || t.end() > s.end()) {
                    fail("%s lies outside its statement %s", t, s);
                }
            }
            assertThat(Fingerprinter.fingerprint(s)).isEqualTo(Fingerprinter.fingerprint(s));
            assertThat(ConservativeScan.scanUnguarded(s).kind()).isNotNull();
            previousEnd = s.end();
        }
    }
}
