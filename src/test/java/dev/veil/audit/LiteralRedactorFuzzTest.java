package dev.veil.audit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.Fingerprinter;
import dev.veil.analysis.text.ResourceLiterals;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.analysis.text.Tokens;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target for what the audit trail keeps of a statement's text, over any text (the input's bytes read as
 * UTF-8) in both dialects. `make test` runs it on its checked-in inputs ({@code LiteralRedactorFuzzTestInputs/
 * redact/}); `make fuzz` fuzzes it (docs/testing.md).
 */
class LiteralRedactorFuzzTest {

    /**
     * Nothing throws; the fingerprint is the analysis stage's; and no literal the redactor replaces survives in
     * what it records. Checked for the literals whose text occurs once in the input and holds no '?' (a value
     * also written in a comment, or one made of '?', cannot be told apart in the output), when every literal
     * kept as a resource is kept as written (one with a password replaced is re-quoted, another text).
     */
    @FuzzTest
    void redact(byte[] input) {
        String sql = new String(input, StandardCharsets.UTF_8);
        for (Dialect dialect : Dialect.values()) {
            LiteralRedactor redactor = new LiteralRedactor(dialect);
            LiteralRedactor.Redacted recorded = redactor.read(sql);
            assertThat(redactor.redact(sql)).isEqualTo(recorded.text());
            Tokens tokens = SqlTokenizer.forDialect(dialect).tokenize(sql);
            assertThat(recorded.fingerprint()).isEqualTo(Fingerprinter.fingerprint(tokens).hex());
            Map<Integer, String> kept = ResourceLiterals.of(tokens);
            if (!keptAsWritten(tokens, kept)) {
                continue;
            }
            for (Token t : tokens.all()) {
                if (claimsToRedact(t) && !kept.containsKey(t.start()) && t.text().indexOf('?') < 0
                        && sql.indexOf(t.text()) == sql.lastIndexOf(t.text())) {
                    assertThat(recorded.text()).as("%s redacts %s", dialect, t).doesNotContain(t.text());
                }
            }
        }
    }

    /** What LiteralRedactor says it replaces: literals, and unreadable text that may hold values (an open string). */
    private static boolean claimsToRedact(Token t) {
        if (t.kind() == TokenKind.ERROR) {
            return t.text().length() > 1 && !t.text().startsWith("/*");
        }
        return t.kind().isLiteral();
    }

    private static boolean keptAsWritten(Tokens tokens, Map<Integer, String> kept) {
        for (Token t : tokens.all()) {
            String k = kept.get(t.start());
            if (k != null && !k.equals(t.text())) {
                return false;
            }
        }
        return true;
    }
}
