package dev.veil.audit;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.Fingerprinter;
import dev.veil.analysis.text.ResourceLiterals;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.TextReading;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.analysis.text.Tokens;

import java.util.Map;

/**
 * What the audit trail keeps of a statement's text: the text with every literal value replaced by {@code ?}
 * (identifiers, keywords, parameters such as $1, comments and layout kept) except the literals that name a
 * program, a file, a library or a server ({@link ResourceLiterals}: the command of COPY … TO PROGRAM, the path
 * of pg_read_file, a connection string with its password replaced), and the statement's fingerprint,
 * which is the analysis stage's ({@link Fingerprinter}), so an audit record and the analysis of its statement
 * carry the same value. Both come from one pass of the analysis tokenizer with the dialect's default lexical
 * settings, the ones the front ends analyse with.
 */
public final class LiteralRedactor {
    private final SqlTokenizer tokenizer;

    /** The recorded text and the fingerprint of one statement. */
    public record Redacted(String text, String fingerprint) {
    }

    public LiteralRedactor(Dialect dialect) {
        this.tokenizer = SqlTokenizer.forDialect(dialect);
    }

    /** Tokens and fingerprint come from {@link TextReading}: the analysis of the same text on this thread read them already. */
    public Redacted read(String sql) {
        TextReading reading = TextReading.of(tokenizer.settings(), sql);
        return new Redacted(redact(reading.tokens()), reading.fingerprint().hex());
    }

    /** The text with every literal replaced by {@code ?}, but those naming programs, files, libraries, servers. */
    public String redact(String sql) {
        return redact(tokenizer.tokenize(sql));
    }

    private static String redact(Tokens tokens) {
        String sql = tokens.sql();
        Map<Integer, String> kept = ResourceLiterals.of(tokens);
        StringBuilder out = new StringBuilder(sql.length());
        int copied = 0;
        for (Token t : tokens.all()) {
            if (holdsValue(t)) {
                out.append(sql, copied, t.start()).append(kept.getOrDefault(t.start(), "?"));
                copied = t.end();
            }
        }
        return out.append(sql, copied, sql.length()).toString();
    }

    /**
     * Literals (a prefix such as E, N, X or _utf8mb4 belongs to its literal), and text the tokenizer could not
     * read: mostly a string or quoted name left open, which runs to the end of the text and may hold values.
     * A stray character and an unclosed comment are kept, as comments are.
     */
    private static boolean holdsValue(Token t) {
        if (t.kind() == TokenKind.ERROR) {
            return t.text().length() > 1 && !t.text().startsWith("/*");
        }
        return t.kind().isLiteral();
    }
}
