package dev.veil.analysis;

import dev.veil.analysis.text.Fingerprint;
import dev.veil.analysis.text.Fingerprinter;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.StatementSplitter;
import dev.veil.analysis.text.StatementText;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.analysis.text.Tokens;

import java.util.Locale;
import java.util.Set;

import java.util.List;
import java.util.Optional;

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
        Tokens tokens = new SqlTokenizer(settings).tokenize(original);
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
        return new CalciteText(fingerprint, Optional.of(render(dialect, settings, original, statement.tokens())),
                Optional.empty());
    }

    private static CalciteText failed(Fingerprint fingerprint, String reason) {
        return new CalciteText(fingerprint, Optional.empty(), Optional.of(reason));
    }

    /** Units that may follow an interval string; without one, PostgreSQL reads the unit from the string. */
    private static final Set<String> INTERVAL_UNITS = Set.of("YEAR", "YEARS", "MONTH", "MONTHS",
            "DAY", "DAYS", "HOUR", "HOURS", "MINUTE", "MINUTES", "SECOND", "SECONDS", "WEEK", "QUARTER");

    private static String render(Dialect dialect, LexicalSettings settings, String original, List<Token> allTokens) {
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
        StringBuilder out = new StringBuilder(original.length() + 8);
        Token previous = null;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (previous != null) {
                out.append(afterTrivia[i] ? " " : original.substring(previous.end(), t.start()));
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
