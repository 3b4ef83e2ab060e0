package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Code tokens of one statement with their parenthesis depth, and the look-ahead helpers the scan needs. */
final class CodeView {
    final List<Token> tokens;
    final int[] depth;
    final boolean pg;
    private final int[] match;

    CodeView(List<Token> all, boolean pg) {
        List<Token> code = new ArrayList<>(all.size());
        for (Token t : all) {
            if (!t.kind().isTrivia()) {
                code.add(t);
            }
        }
        this.tokens = code;
        this.pg = pg;
        this.depth = new int[code.size()];
        this.match = new int[code.size()];
        int d = 0;
        int[] stack = new int[code.size() + 1];
        int sp = 0;
        for (int i = 0; i < code.size(); i++) {
            Token t = code.get(i);
            match[i] = -1;
            if (t.isPunct(')') && d > 0) {
                d--;
                if (sp > 0) {
                    int open = stack[--sp];
                    match[open] = i;
                    match[i] = open;
                }
            }
            depth[i] = d;
            if (t.isPunct('(')) {
                stack[sp++] = i;
                d++;
            }
        }
    }

    int size() {
        return tokens.size();
    }

    Token at(int i) {
        return i >= 0 && i < tokens.size() ? tokens.get(i) : null;
    }

    boolean is(int i, String word) {
        Token t = at(i);
        return t != null && t.is(word);
    }

    boolean isAny(int i, String... words) {
        Token t = at(i);
        return t != null && t.isAny(words);
    }

    boolean punct(int i, char c) {
        Token t = at(i);
        return t != null && t.isPunct(c);
    }

    /** Index just after the parenthesis closing the one at {@code open}; the end when unbalanced. */
    int afterGroup(int open) {
        int close = match[open];
        return close < 0 ? tokens.size() : close + 1;
    }

    /**
     * The statement after a WITH clause: the first word at the WITH's level that can start a statement and is
     * not a CTE name (those are followed by AS or a column list). SEARCH / CYCLE clauses are skipped over.
     * -1 when there is none.
     */
    int withMainHead(int with) {
        for (int i = with + 1; i < tokens.size(); i++) {
            if (depth[i] == depth[with] && isAny(i, "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES",
                    "TABLE", "REPLACE") && !is(i + 1, "AS") && !punct(i + 1, '(')) {
                return i;
            }
            if (depth[i] == depth[with] && isAny(i, "SELECT", "VALUES") && punct(i + 1, '(')) {
                return i; // SELECT (a) … / VALUES (1)
            }
        }
        return -1;
    }

    String upper(int i) {
        Token t = at(i);
        return t == null || t.kind() != TokenKind.WORD ? "" : t.text().toUpperCase(Locale.ROOT);
    }

    /** The name a relation part denotes: PostgreSQL folds unquoted ASCII letters; quoted parts are exact. */
    String namePart(int i) {
        Token t = at(i);
        if (t.kind() == TokenKind.QUOTED_IDENTIFIER) {
            return t.value();
        }
        return pg ? Keywords.asciiLower(t.text()) : t.text();
    }
}
