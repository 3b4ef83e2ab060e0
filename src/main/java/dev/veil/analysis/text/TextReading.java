package dev.veil.analysis.text;

/**
 * The tokens and the fingerprint of one SQL text. A statement is read twice on its session's loop, right after
 * each other: the analysis cache looks it up by its fingerprint, then its audit record shows the text with its
 * literals redacted, and the same fingerprint. Lexing and fingerprinting the text twice was a tenth of an event
 * loop's time under pgbench, so each thread remembers the last short text it read and hands the second reader
 * the first one's reading. Tokens are immutable, so sharing them is safe.
 */
public record TextReading(Tokens tokens, Fingerprint fingerprint) {
    /** Longer texts are not remembered: a thread would keep a large statement's tokens until its next one. */
    static final int REMEMBERED_CHARS = 16 * 1024;
    private static final ThreadLocal<TextReading[]> LAST = ThreadLocal.withInitial(() -> new TextReading[1]);

    /** The reading of {@code sql} under {@code settings}: this thread's last one when it read the same text. */
    public static TextReading of(LexicalSettings settings, String sql) {
        String text = sql == null ? "" : sql;
        TextReading[] last = LAST.get();
        TextReading r = last[0];
        if (r != null && r.tokens.settings().equals(settings) && r.tokens.sql().equals(text)) {
            return r;
        }
        Tokens tokens = new SqlTokenizer(settings).tokenize(text);
        r = new TextReading(tokens, Fingerprinter.fingerprint(tokens));
        last[0] = text.length() <= REMEMBERED_CHARS ? r : null;
        return r;
    }
}
