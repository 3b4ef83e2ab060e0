package dev.veil.analysis.text;

/**
 * One token of a SQL text.
 *
 * @param start offset of the first character in the tokenized text
 * @param end   offset just past the last character
 * @param text  the exact source text, {@code sql.substring(start, end)}
 * @param value for STRING and QUOTED_IDENTIFIER the decoded content (escapes resolved, quotes removed);
 *              otherwise {@code null}
 */
public record Token(TokenKind kind, int start, int end, String text, String value) {

    /** An unquoted word equal to {@code word}, ignoring case. */
    public boolean is(String word) {
        return kind == TokenKind.WORD && text.equalsIgnoreCase(word);
    }

    /** An unquoted word equal to one of {@code words}, ignoring case. */
    public boolean isAny(String... words) {
        if (kind != TokenKind.WORD) {
            return false;
        }
        for (String w : words) {
            if (text.equalsIgnoreCase(w)) {
                return true;
            }
        }
        return false;
    }

    public boolean isPunct(char c) {
        return kind == TokenKind.PUNCTUATION && text.length() == 1 && text.charAt(0) == c;
    }

    public boolean isOperator(String op) {
        return kind == TokenKind.OPERATOR && text.equals(op);
    }

    /** Word or quoted identifier: something that can name a relation or column. */
    public boolean isName() {
        return kind == TokenKind.WORD || kind == TokenKind.QUOTED_IDENTIFIER;
    }
}
