package dev.veil.analysis;

import dev.veil.analysis.parser.VeilOperators;
import dev.veil.analysis.text.Fingerprint;
import dev.veil.analysis.text.Fingerprinter;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.StatementSplitter;
import dev.veil.analysis.text.StatementText;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.analysis.text.Tokens;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The statement text as Calcite's lexer needs it, rebuilt from our own tokens (which follow the servers' lexers):
 * parameters ({@code $n}, MySQL {@code ?}) become {@code ?}; every string literal, whatever its form (E'…',
 * dollar quoting, MySQL "…" or backslash escapes, {@code _charset'…'}), becomes a standard '…' literal with the
 * same value; MySQL identifiers quoted with " under ANSI_QUOTES become `…`; comments become a space and the code
 * inside MySQL versioned comments stays code. None of this changes what the statement reads, writes or returns.
 *
 * @param sql      the text for Calcite, or empty when the text must not be analysed (see {@code problem})
 * @param problem  why the text is not analysed: malformed tokens, several statements, an uncertain boundary
 */
record CalciteText(Fingerprint fingerprint, Optional<String> sql, Optional<String> problem) {

    static CalciteText of(Dialect dialect, LexicalSettings settings, String original) {
        return of(dialect, settings, original, new SqlTokenizer(settings).tokenize(original), name -> true,
                AnalysisLimits.DEFAULTS);
    }

    /**
     * With the tokens of {@code original} already at hand (the cache tokenizes to find its key).
     *
     * @param namesAColumn whether the catalog has a column of that name: PostgreSQL system column names are
     *                     only read as such when no relation (a view could) uses them for a column
     * @param limits       a statement nested deeper or longer than these is not handed to Calcite
     */
    static CalciteText of(Dialect dialect, LexicalSettings settings, String original, Tokens tokens,
                          Predicate<String> namesAColumn, AnalysisLimits limits) {
        Fingerprint fingerprint = Fingerprinter.fingerprint(tokens);
        if (tokens.malformed()) {
            return failed(fingerprint, "the text is malformed: " + String.join("; ", tokens.problems()));
        }
        List<StatementText> statements = StatementSplitter.split(tokens);
        List<StatementText> nonEmpty = statements.stream().filter(s -> !s.code().isEmpty()).toList();
        if (nonEmpty.size() != 1) {
            return failed(fingerprint, nonEmpty.isEmpty() ? "the text holds no statement"
                    : "the text holds " + nonEmpty.size() + " statements; each is analysed on its own");
        }
        StatementText statement = nonEmpty.get(0);
        if (statement.boundaryUncertain() || statement.compoundBody()) {
            return failed(fingerprint, "the statement holds a stored-program body whose end is decided by the server");
        }
        List<Token> collapsed = ConstantLists.collapse(statement.tokens());
        List<Token> code = collapsed.stream().filter(t -> !t.kind().isTrivia()).toList();
        int depth = NestingDepth.of(code);
        if (depth > limits.maxDepth()) {
            return failed(fingerprint, "statement nested deeper than Veil analyses (" + depth + " levels, limit "
                    + limits.maxDepth() + "; veil.analysis.max-depth)");
        }
        if (code.size() > limits.maxTokens()) {
            return failed(fingerprint, "statement longer than Veil analyses (" + code.size()
                    + " tokens once constant VALUES rows and IN lists are shortened, limit " + limits.maxTokens()
                    + "; veil.analysis.max-tokens)");
        }
        return new CalciteText(fingerprint, Optional.of(render(dialect, settings, original, collapsed, namesAColumn)),
                Optional.empty());
    }

    private static CalciteText failed(Fingerprint fingerprint, String reason) {
        return new CalciteText(fingerprint, Optional.empty(), Optional.of(reason));
    }

    /** Units that may follow an interval string; without one, PostgreSQL reads the unit from the string. */
    private static final Set<String> INTERVAL_UNITS = Set.of("YEAR", "YEARS", "MONTH", "MONTHS",
            "DAY", "DAYS", "HOUR", "HOURS", "MINUTE", "MINUTES", "SECOND", "SECONDS", "WEEK", "QUARTER");

    private static String render(Dialect dialect, LexicalSettings settings, String original, List<Token> allTokens,
                                 Predicate<String> namesAColumn) {
        List<Token> tokens = allTokens.stream().filter(t -> !t.kind().isTrivia()).toList();
        // For each code token, whether a comment stood between it and the previous one (then: one space).
        boolean[] afterTrivia = new boolean[tokens.size()];
        int code = 0;
        boolean trivia = false;
        for (Token t : allTokens) {
            if (t.kind().isTrivia()) {
                trivia = true;
            } else {
                afterTrivia[code++] = trivia;
                trivia = false;
            }
        }
        int[] into = intoBeforeFrom(tokens);
        if (into != null) {
            // SELECT … INTO target FROM …: the INTO clause goes to the end, where our grammar reads it.
            List<Token> moved = new ArrayList<>(tokens.subList(0, into[0]));
            moved.addAll(tokens.subList(into[1], tokens.size()));
            moved.addAll(tokens.subList(into[0], into[1]));
            boolean[] spaces = new boolean[moved.size()];
            for (int k = 0; k < moved.size(); k++) {
                int from = k < into[0] ? k : k < into[0] + tokens.size() - into[1] ? k - into[0] + into[1]
                        : k - (tokens.size() - into[1]);
                spaces[k] = afterTrivia[from];
            }
            spaces[into[0]] = true;
            spaces[into[0] + tokens.size() - into[1]] = true;
            tokens = moved;
            afterTrivia = spaces;
        }
        Map<Integer, String> overrides = dialect == Dialect.MYSQL ? withRollup(tokens) : withOrdinality(tokens);
        StringBuilder out = new StringBuilder(original.length() + 8);
        Token previous = null;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (previous != null) {
                out.append(afterTrivia[i] || previous.end() > t.start() ? " " : original.substring(previous.end(), t.start()));
            }
            // PostgreSQL's interval '7 days' (unit inside the string) is a constant interval; Calcite wants a unit
            // after the string, so it becomes a cast of the same constant.
            if (dialect == Dialect.POSTGRESQL && t.is("interval") && i + 1 < tokens.size()
                    && tokens.get(i + 1).kind() == TokenKind.STRING
                    && (i + 2 >= tokens.size() || !INTERVAL_UNITS.contains(tokens.get(i + 2).text().toUpperCase(Locale.ROOT)))) {
                out.append("CAST(").append(text(dialect, settings, tokens.get(i + 1))).append(" AS INTERVAL SECOND)");
                previous = tokens.get(++i);
                continue;
            }
            // alias.tableoid, alias.xmin, …: qualified, a system column reads as the same constant as unqualified.
            if (dialect == Dialect.POSTGRESQL && t.kind() == TokenKind.WORD && !at(tokens, i - 1, ".")
                    && at(tokens, i + 1, ".") && i + 2 < tokens.size() && tokens.get(i + 2).kind() == TokenKind.WORD
                    && SYSTEM_COLUMNS.containsKey(tokens.get(i + 2).text().toLowerCase(Locale.ROOT))
                    && !at(tokens, i + 3, "(") && !at(tokens, i + 3, ".")
                    && !namesAColumn.test(tokens.get(i + 2).text().toLowerCase(Locale.ROOT))) {
                out.append("CAST(NULL AS ").append(SYSTEM_COLUMNS.get(tokens.get(i + 2).text().toLowerCase(Locale.ROOT)))
                        .append(')');
                previous = tokens.get(i + 2);
                i += 2;
                continue;
            }
            // pg_catalog.unnest(…) (psql's \d+ writes it so): Calcite reads UNNEST in FROM only unqualified, and
            // pg_catalog's is the only unnest there is to mean.
            if (dialect == Dialect.POSTGRESQL && t.is("pg_catalog") && at(tokens, i + 1, ".") && at(tokens, i + 2, "unnest")
                    && at(tokens, i + 3, "(")) {
                previous = tokens.get(++i);
                continue;
            }
            String rewritten = overrides.containsKey(i) ? overrides.get(i)
                    : dialect == Dialect.POSTGRESQL ? postgresWord(tokens, i, namesAColumn) : mysqlWord(tokens, i);
            if (rewritten != null) {
                out.append(rewritten);
                previous = t;
                continue;
            }
            // PostgreSQL's TIMESTAMP WITH TIME ZONE '…' literal: the same constant, as a cast Calcite accepts.
            if (dialect == Dialect.POSTGRESQL && t.is("TIMESTAMP") && i + 4 < tokens.size()
                    && tokens.get(i + 1).is("WITH") && tokens.get(i + 2).is("TIME") && tokens.get(i + 3).is("ZONE")
                    && tokens.get(i + 4).kind() == TokenKind.STRING) {
                out.append("CAST(").append(text(dialect, settings, tokens.get(i + 4))).append(" AS TIMESTAMP)");
                previous = tokens.get(i + 4);
                i += 4;
                continue;
            }
            // COLLATE name (PostgreSQL: possibly qualified, MySQL: possibly a string) only changes how values compare.
            if (t.is("COLLATE") && i + 1 < tokens.size()
                    && (tokens.get(i + 1).isName() || tokens.get(i + 1).kind() == TokenKind.STRING)) {
                int j = i + 1;
                while (j + 2 < tokens.size() && tokens.get(j + 1).isPunct('.') && tokens.get(j + 2).isName()) {
                    j += 2;
                }
                out.append(' ');
                previous = tokens.get(j);
                i = j;
                continue;
            }
            // MySQL's PARTITION (p0, …) after a table only narrows the rows read; window PARTITION BY is untouched.
            if (dialect == Dialect.MYSQL && t.is("PARTITION") && i > 0 && tokens.get(i - 1).isName()
                    && i + 1 < tokens.size() && tokens.get(i + 1).isPunct('(')) {
                int j = closing(tokens, i + 1);
                if (j > 0) {
                    out.append(' ');
                    previous = tokens.get(j);
                    i = j;
                    continue;
                }
            }
            // MySQL index hints (USE / FORCE / IGNORE INDEX | KEY [FOR …] (…)) only steer the optimizer.
            if (dialect == Dialect.MYSQL && t.isAny("USE", "FORCE", "IGNORE") && i + 1 < tokens.size()
                    && tokens.get(i + 1).isAny("INDEX", "KEY")) {
                int j = i + 2;
                while (j < tokens.size() && !tokens.get(j).isPunct('(')) {
                    j++;
                }
                int depth = 0;
                for (; j < tokens.size(); j++) {
                    if (tokens.get(j).isPunct('(')) {
                        depth++;
                    } else if (tokens.get(j).isPunct(')') && --depth == 0) {
                        break;
                    }
                }
                if (j < tokens.size()) {
                    out.append(' ');
                    previous = tokens.get(j);
                    i = j;
                    continue;
                }
            }
            out.append(text(dialect, settings, t));
            previous = t;
        }
        return out.toString().trim();
    }

    private static final Map<String, String> SYSTEM_COLUMNS = Map.of("ctid", "VARCHAR",
            "xmin", "BIGINT", "xmax", "BIGINT", "cmin", "BIGINT", "cmax", "BIGINT", "tableoid", "BIGINT");

    /** PostgreSQL operators Calcite's lexer cannot read, in the named form our grammar reads instead. */
    private static final Map<String, String> PG_NAMED_OPERATORS = Map.of(
            "?", "HAS_KEY", "?|", "HAS_ANY_KEY", "?&", "HAS_ALL_KEYS", "@?", "JSONPATH_EXISTS", "@@", "TEXT_MATCH",
            "@@@", "TEXT_MATCH");

    /**
     * A PostgreSQL token rendered differently, or null. Each rewrite keeps every operand and only changes how the
     * same operation is spelled (or drops a planner hint), so it never hides a read, a write or a data flow.
     */
    private static String postgresWord(List<Token> tokens, int i, Predicate<String> namesAColumn) {
        Token t = tokens.get(i);
        if (t.kind() == TokenKind.OPERATOR && PG_NAMED_OPERATORS.containsKey(t.text())) {
            return " OPERATOR(" + PG_NAMED_OPERATORS.get(t.text()) + ") ";
        }
        // System columns (ctid, xmin, …) hold row versions and locations, never table data, and PostgreSQL lets
        // no user column take their names: unqualified, they read as a constant of their type.
        if (t.kind() == TokenKind.WORD && SYSTEM_COLUMNS.containsKey(t.text().toLowerCase(Locale.ROOT))
                && !at(tokens, i - 1, ".") && !at(tokens, i + 1, "(") && !at(tokens, i + 1, ".")
                && !at(tokens, i - 1, "AS") && !namedByStatement(tokens, t.text())
                && !namesAColumn.test(t.text().toLowerCase(Locale.ROOT))) {
            return "CAST(NULL AS " + SYSTEM_COLUMNS.get(t.text().toLowerCase(Locale.ROOT)) + ")";
        }
        // TIMESTAMP WITH TIME ZONE '…' / TIMESTAMPTZ '…': Calcite's literal syntax rejects an offset.
        if (t.is("TIMESTAMPTZ") && i + 1 < tokens.size() && tokens.get(i + 1).kind() == TokenKind.STRING) {
            return "TIMESTAMP";
        }
        // WITH x AS [NOT] MATERIALIZED (…): a planner hint.
        if (t.is("MATERIALIZED") && i + 1 < tokens.size() && tokens.get(i + 1).isPunct('(')
                && (at(tokens, i - 1, "AS") || at(tokens, i - 1, "NOT") && at(tokens, i - 2, "AS"))) {
            return "";
        }
        if (t.is("NOT") && at(tokens, i - 1, "AS") && at(tokens, i + 1, "MATERIALIZED")
                && i + 2 < tokens.size() && tokens.get(i + 2).isPunct('(')) {
            return "";
        }
        return numberOrBits(t);
    }

    /** A MySQL token rendered differently, or null; same guarantee as {@link #postgresWord}. */
    private static String mysqlWord(List<Token> tokens, int i) {
        Token t = tokens.get(i);
        // STRAIGHT_JOIN: as a SELECT modifier a join-order hint; between tables an inner join.
        if (t.is("STRAIGHT_JOIN")) {
            return i > 0 && tokens.get(i - 1).isAny("SELECT", "ALL", "DISTINCT", "DISTINCTROW", "HIGH_PRIORITY",
                    "SQL_CALC_FOUND_ROWS", "SQL_NO_CACHE", "SQL_CACHE", "SQL_BUFFER_RESULT", "SQL_SMALL_RESULT",
                    "SQL_BIG_RESULT") ? " " : " JOIN ";
        }
        // FROM DUAL: no table at all.
        if (t.is("DUAL") && at(tokens, i - 1, "FROM") && tokens.get(i).kind() == TokenKind.WORD) {
            return "(VALUES (0)) AS dual (dummy)";
        }
        // CURRENT_USER() / CURRENT_ROLE(): the niladic functions, spelled with parentheses.
        if (t.isPunct('(') && i >= 1 && tokens.get(i - 1).isAny("CURRENT_USER", "CURRENT_ROLE", "CURRENT_DATE",
                "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP") && at(tokens, i + 1, ")")) {
            return "";
        }
        if (t.isPunct(')') && i >= 2 && tokens.get(i - 1).isPunct('(') && tokens.get(i - 2).isAny("CURRENT_USER",
                "CURRENT_ROLE", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP")) {
            return "";
        }
        // MySQL 8's row alias is often called new, which Calcite reserves: new.c is quoted.
        if (t.is("NEW") && at(tokens, i + 1, ".")) {
            return "`" + t.text() + "`";
        }
        // @v := expr (Calcite's lexer has no := token).
        if (t.isOperator(":=")) {
            return " OPERATOR(ASSIGN) ";
        }
        // BINARY as a prefix operator (= BINARY 'x') only makes a comparison case-sensitive.
        if (t.is("BINARY") && i > 0 && i + 1 < tokens.size()
                && (tokens.get(i - 1).kind() == TokenKind.OPERATOR || tokens.get(i - 1).isPunct('(')
                || tokens.get(i - 1).isPunct(',') || tokens.get(i - 1).isAny("SELECT", "WHERE", "AND", "OR", "NOT",
                "ON", "HAVING", "WHEN", "THEN", "ELSE", "BY"))
                && !tokens.get(i + 1).isPunct(')') && !tokens.get(i + 1).isPunct(',')) {
            return " ";
        }
        // CONVERT(x USING charset) only re-encodes x.
        if (i > 0 && tokens.get(i - 1).is("USING") && t.isName()
                && t.text().toLowerCase(Locale.ROOT).matches("utf8(mb[34])?|latin1|ascii|binary|utf16|utf32|ucs2")) {
            return "UTF8";
        }
        return numberOrBits(t);
    }

    /** Bit strings and 0x / 0b / 0o / 1_000 numbers, which Calcite's lexer reads differently, as plain numbers. */
    private static String numberOrBits(Token t) {
        if (t.kind() == TokenKind.BIT_STRING) {
            return "0";
        }
        if (t.kind() == TokenKind.NUMBER) {
            String x = t.text();
            if (x.length() > 1 && x.charAt(0) == '0' && "xXbBoO".indexOf(x.charAt(1)) >= 0) {
                return "0";
            }
            if (x.indexOf('_') >= 0) {
                return x.replace("_", "");
            }
        }
        return null;
    }

    /**
     * MySQL's GROUP BY a, b WITH ROLLUP, rewritten as the standard GROUP BY ROLLUP(a, b) (the same groups): the
     * tokens to render differently, by index.
     */
    private static Map<Integer, String> withRollup(List<Token> tokens) {
        Map<Integer, String> out = new HashMap<>();
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (!tokens.get(i).is("GROUP") || !tokens.get(i + 1).is("BY")) {
                continue;
            }
            int depth = 0;
            for (int j = i + 2; j + 1 < tokens.size(); j++) {
                Token t = tokens.get(j);
                if (t.isPunct('(')) {
                    depth++;
                } else if (t.isPunct(')') && --depth < 0) {
                    break;
                } else if (depth == 0 && t.isAny("HAVING", "ORDER", "LIMIT", "UNION", "WINDOW", "FOR", "INTO")) {
                    break;
                } else if (depth == 0 && t.is("WITH") && tokens.get(j + 1).is("ROLLUP")) {
                    out.put(i + 1, "BY ROLLUP(");
                    out.put(j, ")");
                    out.put(j + 1, "");
                    break;
                }
            }
        }
        return out;
    }

    /**
     * In a statement starting with SELECT, the INTO clause of the first SELECT when a FROM follows it at the same
     * depth: {start, end} (end is that FROM), else null.
     */
    private static int[] intoBeforeFrom(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).is("SELECT")) {
            return null;
        }
        int depth = 0;
        int into = -1;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
            } else if (depth == 0 && into < 0 && t.is("INTO")) {
                into = i;
            } else if (depth == 0 && t.is("FROM")) {
                return into < 0 ? null : new int[] {into, i};
            } else if (depth == 0 && into >= 0 && t.isPunct(';')) {
                return null;
            }
        }
        return null;
    }

    /** Whether the statement names something {@code word} itself (AS word): then word may mean that. */
    private static boolean namedByStatement(List<Token> tokens, String word) {
        for (int i = 1; i < tokens.size(); i++) {
            if (tokens.get(i).isName() && tokens.get(i).text().equalsIgnoreCase(word) && tokens.get(i - 1).is("AS")) {
                return true;
            }
        }
        return false;
    }

    private static boolean at(List<Token> tokens, int i, String word) {
        if (i < 0 || i >= tokens.size()) {
            return false;
        }
        Token t = tokens.get(i);
        return word.length() == 1 && !Character.isLetter(word.charAt(0)) ? t.isPunct(word.charAt(0)) : t.is(word);
    }

    /** The index of the parenthesis closing the one at {@code open}, or -1. */
    /**
     * PostgreSQL's {@code f(…) WITH ORDINALITY} (psql's \d writes {@code pg_partition_ancestors(…) WITH ORDINALITY}):
     * Calcite reads the clause after UNNEST only, so a set-returning function we model becomes its twin that has the
     * extra ordinality column ({@link VeilOperators#withOrdinality}); the arguments stay as they are.
     */
    private static Map<Integer, String> withOrdinality(List<Token> tokens) {
        Map<Integer, String> overrides = new HashMap<>();
        for (int k = 1; k + 1 < tokens.size(); k++) {
            if (!tokens.get(k).is("WITH") || !tokens.get(k + 1).is("ORDINALITY") || !tokens.get(k - 1).isPunct(')')) {
                continue;
            }
            int open = opening(tokens, k - 1);
            if (open < 1 || tokens.get(open - 1).kind() != TokenKind.WORD) {
                continue;
            }
            String twin = VeilOperators.withOrdinality(tokens.get(open - 1).text());
            if (twin != null) {
                overrides.put(open - 1, twin);
                overrides.put(k, "");
                overrides.put(k + 1, "");
            }
        }
        return overrides;
    }

    private static int opening(List<Token> tokens, int close) {
        int depth = 0;
        for (int j = close; j >= 0; j--) {
            if (tokens.get(j).isPunct(')')) {
                depth++;
            } else if (tokens.get(j).isPunct('(') && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    private static int closing(List<Token> tokens, int open) {
        int depth = 0;
        for (int j = open; j < tokens.size(); j++) {
            if (tokens.get(j).isPunct('(')) {
                depth++;
            } else if (tokens.get(j).isPunct(')') && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    private static String text(Dialect dialect, LexicalSettings settings, Token t) {
        return switch (t.kind()) {
            case PARAMETER -> "?";
            // @@`x`, @'x': Calcite's lexer takes variable names unquoted.
            case VARIABLE -> t.text().replaceAll("[`'\"]", "");
            // MySQL's user@host: the statements that name accounts are classified by their words.
            case PUNCTUATION -> t.text().equals("@") ? " " : t.text();
            case STRING -> "'" + t.value().replace("'", "''") + "'";
            case QUOTED_IDENTIFIER -> dialect == Dialect.MYSQL
                    ? "`" + t.value().replace("`", "``") + "`"
                    : "\"" + t.value().replace("\"", "\"\"") + "\"";
            default -> t.text();
        };
    }

}
