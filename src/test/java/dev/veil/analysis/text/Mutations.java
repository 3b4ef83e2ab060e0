package dev.veil.analysis.text;

import java.util.List;

/** Rewrites of a tokenized text that must not change its fingerprint. */
final class Mutations {
    private Mutations() {
    }

    /** Comments dropped, every gap between tokens widened to a newline and spaces; adjacent tokens stay adjacent. */
    static String relayout(Tokens tokens) {
        StringBuilder out = new StringBuilder();
        int previousEnd = -1;
        for (Token t : tokens.all()) {
            if (t.kind() == TokenKind.COMMENT) {
                continue;
            }
            if (previousEnd >= 0) {
                out.append(t.start() == previousEnd ? "" : "\n   ");
            }
            out.append(t.text());
            previousEnd = t.end();
        }
        return out.toString();
    }

    /**
     * Plain '…' strings get another value; numbers that are compared, limited or computed with (never ordinals)
     * get another value too.
     */
    static String otherLiterals(Tokens tokens) {
        StringBuilder out = new StringBuilder(tokens.sql());
        List<Token> code = tokens.code();
        for (int i = code.size() - 1; i >= 0; i--) {
            Token t = code.get(i);
            Token prev = i > 0 ? code.get(i - 1) : null;
            String replacement = null;
            if (t.kind() == TokenKind.STRING && t.text().startsWith("'") && t.text().length() > 2) {
                replacement = "'mutated value'";
            } else if (t.kind() == TokenKind.NUMBER && prev != null && t.text().chars().allMatch(Character::isDigit)
                    && (prev.kind() == TokenKind.OPERATOR || prev.isAny("LIMIT", "OFFSET", "INTERVAL"))) {
                replacement = "9" + t.text();
            }
            if (replacement != null) {
                out.replace(t.start(), t.end(), replacement);
            }
        }
        return out.toString();
    }
}
