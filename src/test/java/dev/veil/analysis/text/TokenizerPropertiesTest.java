package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.StatementKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties that hold for any input, checked on generated SQL-like noise (fixed seed, reproducible). */
class TokenizerPropertiesTest {
    private static final String[] PIECES = {"SELECT", "FROM", "t", "'", "''", "\"", "`", "$", "$$", "$a$", "$1",
            "?", "@", "@@", "--", "-", "#", "/*", "*/", "/*!", "/*!50100", "*", "/", "\\", ";", "(", ")", ",", ".",
            "::", ":", "E'", "U&'", "U&\"", "UESCAPE", "x'", "0x", "1", "1.5e", "_utf8mb4", "\n", " ", "\t", "BEGIN",
            "END", "CREATE", "PROCEDURE", "IF", "CASE", "WHERE", "DELETE", "UPDATE", "WITH", "INTO", "é", "\u0000"};

    static String noise(Random random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
            if (random.nextBoolean()) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void tokensAreOrderedDisjointAndMatchTheSourceText(Dialect dialect) {
        Random random = new Random(4);
        SqlTokenizer tokenizer = SqlTokenizer.forDialect(dialect);
        for (int i = 0; i < 5000; i++) {
            String sql = noise(random);
            Tokens tokens = tokenizer.tokenize(sql);
            int previousEnd = 0;
            for (Token t : tokens.all()) {
                assertThat(t.start()).as(sql).isGreaterThanOrEqualTo(previousEnd);
                assertThat(t.end()).as(sql).isBetween(t.start(), sql.length());
                assertThat(t.text()).as(sql).isEqualTo(sql.substring(t.start(), t.end()));
                assertThat(sql.substring(previousEnd, t.start()).isBlank()).as(sql).isTrue();
                previousEnd = t.end();
            }
            assertThat(sql.substring(previousEnd).isBlank()).as(sql).isTrue();
            assertThat(tokens.malformed()).as(sql)
                    .isEqualTo(tokens.all().stream().anyMatch(t -> t.kind() == TokenKind.ERROR));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void splittingFingerprintingRewritingAndScanningNeverThrow(Dialect dialect) {
        Random random = new Random(7);
        SqlTokenizer tokenizer = SqlTokenizer.forDialect(dialect);
        for (int i = 0; i < 5000; i++) {
            String sql = noise(random);
            Tokens tokens = tokenizer.tokenize(sql);
            for (StatementText s : StatementSplitter.split(tokens)) {
                assertThat(sql.substring(s.start(), s.end())).isEqualTo(s.sql());
                assertThat(ConservativeScan.scanUnguarded(s).kind()).as(sql).isNotNull();
                assertThat(ParameterRewriter.rewrite(s).sql()).hasSameSizeAs(s.sql());
            }
            assertThat(Fingerprinter.fingerprint(tokens).normalized()).isNotNull();
            assertThat(ParameterRewriter.rewrite(tokens).sql()).hasSameSizeAs(sql);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void malformedTextIsNeverScannedAsLessThanUnknown(Dialect dialect) {
        Random random = new Random(11);
        SqlTokenizer tokenizer = SqlTokenizer.forDialect(dialect);
        int malformed = 0;
        for (int i = 0; i < 3000; i++) {
            Tokens tokens = tokenizer.tokenize(noise(random));
            if (tokens.malformed()) {
                malformed++;
                assertThat(ConservativeScan.scan(tokens).kind()).isEqualTo(StatementKind.UNKNOWN);
            }
        }
        assertThat(malformed).isGreaterThan(100);
    }
}
