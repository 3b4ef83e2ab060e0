package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a text into statements at top-level semicolons, the way the server would when it receives several
 * statements at once (PostgreSQL simple query, MySQL with CLIENT_MULTI_STATEMENTS).
 *
 * <p>Semicolons inside strings, quoted identifiers, comments and dollar quotes never split (they are inside one
 * token). Semicolons inside parentheses do split: the server rejects such text anyway, and splitting more often
 * only means each piece is scanned on its own.
 *
 * <p>Stored-program bodies are where a client-side {@code DELIMITER} would normally be used; the server only
 * sees the whole {@code CREATE PROCEDURE … BEGIN …; …; END} and its grammar decides where the statement ends.
 * We follow the block structure conservatively: in MySQL, inside {@code CREATE … PROCEDURE|FUNCTION|TRIGGER|EVENT}
 * and MariaDB compound statements ({@code BEGIN NOT ATOMIC}, {@code IF …}, labels) we count
 * BEGIN/CASE/IF/LOOP/WHILE/REPEAT/FOR openers against END; in PostgreSQL, inside {@code CREATE FUNCTION|PROCEDURE}
 * we count BEGIN and CASE against END as psql does for {@code BEGIN ATOMIC}. When the count never returns to zero
 * the rest of the text is one statement marked {@link StatementText#boundaryUncertain()}: callers must not treat
 * it as understood. A semicolon inside a MySQL versioned comment splits, and both sides are marked uncertain.
 */
public final class StatementSplitter {
    private StatementSplitter() {
    }

    public static List<StatementText> split(Tokens tokens) {
        List<Token> all = tokens.all();
        boolean pg = tokens.settings().postgres();
        boolean[] inVersioned = new boolean[all.size()];
        List<Integer> code = new ArrayList<>();
        boolean versioned = false;
        for (int i = 0; i < all.size(); i++) {
            TokenKind k = all.get(i).kind();
            if (k == TokenKind.VERSIONED_COMMENT_START) {
                versioned = true;
            } else if (k == TokenKind.VERSIONED_COMMENT_END) {
                versioned = false;
            }
            inVersioned[i] = versioned;
            if (!k.isTrivia()) {
                code.add(i);
            }
        }

        List<StatementText> out = new ArrayList<>();
        int segmentFirstToken = 0;
        boolean carryUncertain = false;
        int j = 0;
        while (j < code.size()) {
            BodyTracker body = new BodyTracker(pg, all, code, j);
            int k = j;
            while (k < code.size()) {
                Token t = all.get(code.get(k));
                if (t.isPunct(';') && body.depth() <= 0) {
                    break;
                }
                k = body.accept(k);
            }
            boolean uncertain = carryUncertain || (k >= code.size() && body.depth() > 0);
            int boundary = k < code.size() ? code.get(k) : all.size();
            carryUncertain = k < code.size() && inVersioned[boundary];
            uncertain |= carryUncertain;
            add(out, tokens, segmentFirstToken, boundary, body.everOpened(), uncertain);
            segmentFirstToken = boundary + 1;
            j = k + 1;
        }
        if (segmentFirstToken < all.size()) {
            add(out, tokens, segmentFirstToken, all.size(), false, carryUncertain);
        }
        return out;
    }

    private static void add(List<StatementText> out, Tokens tokens, int from, int to, boolean compound,
                            boolean uncertain) {
        List<Token> slice = tokens.all().subList(from, to);
        boolean hasCode = false;
        for (Token t : slice) {
            if (!t.kind().isTrivia()) {
                hasCode = true;
                break;
            }
        }
        if (!hasCode) {
            return; // empty statement or a trailing comment: the server ignores it too
        }
        int start = slice.get(0).start();
        int end = slice.get(slice.size() - 1).end();
        out.add(new StatementText(out.size(), start, end, tokens.sql().substring(start, end), slice,
                tokens.settings(), compound, uncertain));
    }

    /** Block nesting inside stored-program bodies; see the class comment. */
    private static final class BodyTracker {
        private final boolean pg;
        private final List<Token> all;
        private final List<Integer> code;
        private final int first;
        private final boolean active;
        private int depth;
        private boolean everOpened;

        BodyTracker(boolean pg, List<Token> all, List<Integer> code, int first) {
            this.pg = pg;
            this.all = all;
            this.code = code;
            this.first = first;
            this.active = pg ? pgRoutine() : mysqlProgram();
        }

        int depth() {
            return depth;
        }

        boolean everOpened() {
            return everOpened;
        }

        /** Consumes the token at code index {@code k}; returns the next index. */
        int accept(int k) {
            if (!active) {
                return k + 1;
            }
            Token t = tok(k);
            if (t.is("END")) {
                depth--;
                Token next = tok(k + 1);
                if (!pg && next != null && next.isAny("IF", "CASE", "LOOP", "WHILE", "REPEAT", "FOR")) {
                    return k + 2;
                }
                return k + 1;
            }
            if (t.is("BEGIN") || t.is("CASE")) {
                open();
            } else if (!pg && t.isAny("IF", "WHILE", "LOOP", "REPEAT", "FOR") && statementPosition(k)) {
                open();
            }
            return k + 1;
        }

        private void open() {
            depth++;
            everOpened = true;
        }

        private boolean statementPosition(int k) {
            if (k == first) {
                return true;
            }
            Token p = tok(k - 1);
            return p.isPunct(';') || p.isPunct(':') || p.isPunct(')') || p.isAny("BEGIN", "THEN", "ELSE", "DO",
                    "LOOP", "REPEAT", "ROW", "DETERMINISTIC", "SQL", "DATA", "INVOKER", "DEFINER");
        }

        private boolean pgRoutine() {
            int k = first;
            if (!is(k, "CREATE")) {
                return false;
            }
            k++;
            if (is(k, "OR") && is(k + 1, "REPLACE")) {
                k += 2;
            }
            return is(k, "FUNCTION") || is(k, "PROCEDURE");
        }

        private boolean mysqlProgram() {
            Token head = tok(first);
            if (head == null) {
                return false;
            }
            if (head.is("BEGIN")) {
                return is(first + 1, "NOT"); // MariaDB BEGIN NOT ATOMIC; plain BEGIN starts a transaction
            }
            if (head.isAny("IF", "WHILE", "LOOP", "REPEAT", "CASE", "FOR", "DECLARE")) {
                return true;
            }
            Token second = tok(first + 1);
            if (head.isName() && second != null && second.isPunct(':')) {
                return true; // label: BEGIN … END label
            }
            if (!head.is("CREATE")) {
                return false;
            }
            for (int k = first + 1; k < Math.min(code.size(), first + 16); k++) {
                Token t = tok(k);
                if (t.isAny("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT")) {
                    return true;
                }
                if (t.isPunct('(') || t.isPunct(';') || t.isAny("TABLE", "VIEW", "INDEX", "DATABASE", "SCHEMA",
                        "USER", "ROLE", "SERVER", "TABLESPACE", "SEQUENCE", "SPATIAL", "LOGFILE")) {
                    return false;
                }
            }
            return false;
        }

        private boolean is(int k, String word) {
            Token t = tok(k);
            return t != null && t.is(word);
        }

        private Token tok(int k) {
            return k >= 0 && k < code.size() ? all.get(code.get(k)) : null;
        }
    }
}
