package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tokens of one SQL text. {@link #malformed()} is true when any token is an {@link TokenKind#ERROR}:
 * callers must then treat the text as not understood (fail closed), because the server may split it differently.
 */
public final class Tokens {
    private final String sql;
    private final LexicalSettings settings;
    private final List<Token> all;
    private final List<Token> code;
    private final List<String> problems;

    Tokens(String sql, LexicalSettings settings, List<Token> all, List<String> problems) {
        this.sql = sql;
        this.settings = settings;
        this.all = Collections.unmodifiableList(all);
        List<Token> c = new ArrayList<>(all.size());
        for (Token t : all) {
            if (!t.kind().isTrivia()) {
                c.add(t);
            }
        }
        this.code = Collections.unmodifiableList(c);
        this.problems = List.copyOf(problems);
    }

    public String sql() {
        return sql;
    }

    public LexicalSettings settings() {
        return settings;
    }

    /** Every token in source order, comments included. */
    public List<Token> all() {
        return all;
    }

    /** The tokens without comments and versioned-comment markers (their contents stay: they are code). */
    public List<Token> code() {
        return code;
    }

    public boolean malformed() {
        return !problems.isEmpty();
    }

    /** Human-readable reasons for each ERROR token, with offsets. */
    public List<String> problems() {
        return problems;
    }
}
