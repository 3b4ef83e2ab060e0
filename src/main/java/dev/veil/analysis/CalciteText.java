package dev.veil.analysis;

import dev.veil.analysis.text.Fingerprint;
import dev.veil.analysis.text.Fingerprinter;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.StatementSplitter;
import dev.veil.analysis.text.StatementText;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.Tokens;

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

    private static String render(Dialect dialect, LexicalSettings settings, String original, List<Token> tokens) {
        StringBuilder out = new StringBuilder(original.length() + 8);
        int previousEnd = -1;
        for (Token t : tokens) {
            if (t.kind().isTrivia()) {
                out.append(' ');
                previousEnd = -1;
                continue;
            }
            if (previousEnd >= 0 && t.start() > previousEnd) {
                out.append(original, previousEnd, t.start());
            } else if (previousEnd < 0 && out.length() > 0) {
                out.append(' ');
            }
            out.append(text(dialect, settings, t));
            previousEnd = t.end();
        }
        return out.toString().trim();
    }

    private static String text(Dialect dialect, LexicalSettings settings, Token t) {
        return switch (t.kind()) {
            case PARAMETER -> "?";
            case STRING -> "'" + t.value().replace("'", "''") + "'";
            case QUOTED_IDENTIFIER -> dialect == Dialect.MYSQL
                    ? "`" + t.value().replace("`", "``") + "`"
                    : "\"" + t.value().replace("\"", "\"\"") + "\"";
            default -> t.text();
        };
    }

}
