package dev.veil.analysis;

import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * An estimate, from the tokens alone, of how deep the trees Calcite builds for a statement will be: what decides
 * whether its recursive parser, validator and planner fit in a thread's stack. It never recurses itself.
 *
 * <p>A parenthesis, a bracket and a CASE each open a level. Inside a level, Calcite also nests chains: {@code a
 * OR b OR c} is {@code (a OR b) OR c}, and so are AND, UNION, JOIN and arithmetic, so every chained operator adds
 * one level until a comma (or, for operators binding tighter than AND / OR, the next AND / OR or clause keyword)
 * ends the chain; a parenthesised query opens two. The estimate errs high rather than low.
 */
final class NestingDepth {
    /** Operators that join whole conditions or queries; their chains only end at a comma. */
    private static final String[] LOOSE = {"AND", "OR", "XOR", "UNION", "INTERSECT", "EXCEPT", "MINUS", "JOIN"};
    /** Word operators binding tighter than AND / OR. */
    private static final String[] TIGHT = {"NOT", "IS", "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "IN", "REGEXP", "RLIKE",
            "DIV", "MOD", "COLLATE", "ESCAPE"};
    /** Clause keywords: what follows them starts a new expression. */
    private static final String[] CLAUSES = {"SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "BY", "LIMIT",
            "OFFSET", "ON", "USING", "WHEN", "THEN", "ELSE", "SET", "VALUES", "RETURNING", "WINDOW", "PARTITION"};

    /**
     * A parenthesised query counts twice: each query is a scope to validate and a plan to convert and, under IN
     * or EXISTS, to decorrelate (IN sub-queries nested 150 deep overflow Calcite's decorrelator).
     */
    private static final int QUERY_LEVELS = 2;

    private NestingDepth() {
    }

    private static final class Level {
        final int base;
        final boolean isCase;
        int loose;
        int tight;

        Level(int base, boolean isCase) {
            this.base = base;
            this.isCase = isCase;
        }

        int depth() {
            return base + loose + tight;
        }
    }

    /** The estimated depth of the deepest point of {@code code} (tokens without comments). */
    static int of(List<Token> code) {
        Deque<Level> levels = new ArrayDeque<>();
        levels.push(new Level(0, false));
        int max = 0;
        for (int i = 0; i < code.size(); i++) {
            Token t = code.get(i);
            Level top = levels.peek();
            if (t.isPunct('(') || t.isPunct('[') || t.is("CASE") && (i == 0 || !code.get(i - 1).is("END"))) {
                boolean query = t.isPunct('(') && i + 1 < code.size() && code.get(i + 1).isAny("SELECT", "WITH", "VALUES", "TABLE");
                levels.push(new Level(top.depth() + (query ? QUERY_LEVELS : 1), t.is("CASE")));
            } else if (t.isPunct(')') || t.isPunct(']')) {
                // Close the bracket and any CASE left open inside it.
                while (levels.size() > 1 && levels.pop().isCase) {
                    // keep popping
                }
            } else if (t.is("END") && top.isCase) {
                levels.pop();
            } else if (t.isPunct(',') || t.isPunct(';')) {
                top.loose = 0;
                top.tight = 0;
            } else if (t.isAny(LOOSE)) {
                top.loose++;
                top.tight = 0;
            } else if (t.kind() == TokenKind.OPERATOR || t.isAny(TIGHT)) {
                top.tight++;
            } else if (t.isAny(CLAUSES)) {
                top.tight = 0;
            }
            max = Math.max(max, levels.peek().depth());
        }
        return max;
    }
}
