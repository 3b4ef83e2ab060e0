package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;

/** Produces {@link ParameterRewrite}s; only PARAMETER tokens are touched, never text inside strings or comments. */
public final class ParameterRewriter {
    private ParameterRewriter() {
    }

    public static ParameterRewrite rewrite(Tokens tokens) {
        return rewrite(tokens.sql(), 0, tokens.all());
    }

    /** Rewrites one statement; offsets in the result are relative to {@link StatementText#sql()}. */
    public static ParameterRewrite rewrite(StatementText statement) {
        return rewrite(statement.sql(), statement.start(), statement.tokens());
    }

    private static ParameterRewrite rewrite(String sql, int base, List<Token> tokens) {
        StringBuilder out = new StringBuilder(sql);
        List<ParameterRewrite.Placeholder> placeholders = new ArrayList<>();
        boolean ambiguous = false;
        for (Token t : tokens) {
            if (t.kind() == TokenKind.OPERATOR && t.text().indexOf('?') >= 0) {
                ambiguous = true;
            }
            if (t.kind() != TokenKind.PARAMETER) {
                continue;
            }
            int start = t.start() - base;
            int end = t.end() - base;
            int number;
            if (t.text().startsWith("$")) {
                number = parseNumber(t.text().substring(1));
                out.setCharAt(start, '?');
                for (int k = start + 1; k < end; k++) {
                    out.setCharAt(k, ' ');
                }
            } else {
                number = placeholders.size() + 1;
            }
            placeholders.add(new ParameterRewrite.Placeholder(placeholders.size(), number, start, end));
        }
        return new ParameterRewrite(out.toString(), placeholders, ambiguous);
    }

    /** $n beyond int range cannot be a real parameter; -1 makes a later bounds check fail. */
    private static int parseNumber(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
