package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;

/**
 * One statement cut from a longer text by {@link StatementSplitter}.
 *
 * @param index             position among the statements of the text, from 0
 * @param start             offset of its first token (leading comments included) in the original text
 * @param end               offset just past its last token; the terminating ';' is not included
 * @param sql               {@code original.substring(start, end)}
 * @param tokens            its tokens, comments included, offsets relative to the original text
 * @param settings          the lexical settings the text was tokenized with
 * @param compoundBody      it defines or runs a stored-program body (BEGIN … END, BEGIN ATOMIC …), whose inner
 *                          semicolons were not treated as boundaries
 * @param boundaryUncertain the end could not be determined the way the server would (an unclosed compound body,
 *                          or a ';' inside a MySQL versioned comment); treat as not understood
 */
public record StatementText(int index, int start, int end, String sql, List<Token> tokens,
                            LexicalSettings settings, boolean compoundBody, boolean boundaryUncertain) {

    public StatementText {
        tokens = List.copyOf(tokens);
    }

    /** Tokens without comments and versioned-comment markers. */
    public List<Token> code() {
        List<Token> code = new ArrayList<>(tokens.size());
        for (Token t : tokens) {
            if (!t.kind().isTrivia()) {
                code.add(t);
            }
        }
        return code;
    }

    public boolean malformed() {
        for (Token t : tokens) {
            if (t.kind() == TokenKind.ERROR) {
                return true;
            }
        }
        return false;
    }
}
