package dev.veil.audit;

/**
 * Removes literal values from statement text before it is recorded, and derives the statement's
 * fingerprint (the same text for every value of its literals). The analysis stage's tokenizer will take
 * this role; until then {@link LiteralRedactor} does.
 */
public interface StatementRedactor {
    /** The text with every literal replaced by {@code ?}; identifiers, keywords and comments kept. */
    String redact(String sql);

    /** A short stable hash of the redacted text with whitespace runs folded. */
    default String fingerprint(String redacted) {
        StringBuilder folded = new StringBuilder(redacted.length());
        boolean space = false;
        for (int i = 0; i < redacted.length(); i++) {
            char c = redacted.charAt(i);
            if (Character.isWhitespace(c)) {
                space = folded.length() > 0;
            } else {
                if (space) {
                    folded.append(' ');
                    space = false;
                }
                folded.append(c);
            }
        }
        return AuditCodec.sha256(folded.toString()).substring(0, 16);
    }
}
