package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The statements of a MySQL COM_QUERY text and their leading words, for the few statements the MySQL front end
 * must handle itself before any analysis: KILL (the ids clients quote are Veil's, not the server's), LOAD DATA
 * LOCAL (an exfiltration path), USE, PREPARE … FROM and EXECUTE IMMEDIATE. It reads the tokens of
 * {@link SqlTokenizer}, so quoted strings, quoted identifiers and comments hide what the server would not run,
 * and the contents of versioned comments ({@code /*!80000 ... *}{@code /}) are code, as for the server.
 *
 * <p>It errs towards finding these statements: a false match refuses a statement, a miss could kill someone
 * else's query. So it cuts at every semicolon outside a token, even inside a stored-program body, where
 * {@link StatementSplitter} would follow the block structure and keep {@code BEGIN …; KILL 5; END} whole.
 *
 * <p>Whether a backslash escapes a quote depends on the session's sql_mode (NO_BACKSLASH_ESCAPES, and
 * ANSI_QUOTES for {@code "}), which Veil does not follow: callers read text with a backslash both ways. Without
 * backslash escapes {@code "…"} ends where an ANSI_QUOTES identifier ends, so that reading covers both modes.
 */
public final class StatementSniffer {
    private static final LexicalSettings MYSQL = LexicalSettings.defaults(Dialect.MYSQL);

    /**
     * One statement: its words up to the first token that is neither a word nor a number (enough for the KILL
     * and LOAD DATA forms), upper-cased; and its text with comments as spaces and versioned-comment markers
     * dropped, stripped.
     */
    public record Statement(List<String> words, String text) {
        public Statement {
            words = List.copyOf(words);
        }

        public boolean startsWith(String... prefix) {
            if (words.size() < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (!words.get(i).equals(prefix[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** With backslash escapes, MySQL's default. */
    public static List<Statement> statements(String sql) {
        return statements(sql, true);
    }

    public static List<Statement> statements(String sql, boolean backslashEscapes) {
        return statements(sql, backslashEscapes, false);
    }

    /** Under sql_mode ANSI_QUOTES ({@code ansiQuotes}) "…" quotes an identifier, where a backslash escapes nothing. */
    public static List<Statement> statements(String sql, boolean backslashEscapes, boolean ansiQuotes) {
        Tokens tokens = new SqlTokenizer(MYSQL.withBackslashEscapes(backslashEscapes).withAnsiQuotes(ansiQuotes)).tokenize(sql);
        List<Token> all = tokens.all();
        List<Statement> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= all.size(); i++) {
            if (i == all.size() || all.get(i).isPunct(';')) {
                add(out, tokens.sql(), all.subList(from, i));
                from = i + 1;
            }
        }
        return out;
    }

    private static void add(List<Statement> out, String sql, List<Token> tokens) {
        List<String> words = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean leading = true;
        int copied = tokens.isEmpty() ? 0 : tokens.get(0).start();
        for (Token t : tokens) {
            text.append(sql, copied, t.start()); // the layout between tokens
            copied = t.end();
            if (t.kind().isTrivia()) {
                text.append(' '); // a comment or a marker separates the tokens around it, as for the server
            } else {
                text.append(t.text());
                leading &= t.kind() == TokenKind.WORD || t.kind() == TokenKind.NUMBER;
                if (leading) {
                    words.add(t.text().toUpperCase(Locale.ROOT));
                }
            }
        }
        String stripped = text.toString().strip();
        if (!stripped.isEmpty()) {
            out.add(new Statement(words, stripped));
        }
    }

    private StatementSniffer() {
    }
}
