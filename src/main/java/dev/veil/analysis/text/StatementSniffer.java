package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deliberately small reader of COM_QUERY text for the few statements the MySQL front end must handle
 * itself before any analysis: KILL (the ids clients quote are Veil's, not the server's) and LOAD DATA LOCAL
 * (an exfiltration path). It splits on top-level semicolons, skipping quoted strings, quoted identifiers
 * and comments, and treats the contents of versioned comments ({@code /*!80000 ... *}{@code /}) as code, as the
 * server does. It errs towards finding these statements: a false match refuses a statement, a miss could
 * kill someone else's query.
 *
 * <p>Whether a backslash escapes a quote depends on the session's sql_mode (NO_BACKSLASH_ESCAPES, and
 * ANSI_QUOTES for {@code "}), which Veil does not follow: callers read text with a backslash both ways.
 */
public final class StatementSniffer {
    /** One statement's words up to the first non-word token (enough for KILL and LOAD DATA forms). */
    public record Statement(List<String> words, String text) {
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

    public static List<Statement> statements(String sql) {
        return statements(sql, true);
    }

    public static List<Statement> statements(String sql, boolean backslashEscapes) {
        List<Statement> out = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean leading = true;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = skipQuoted(sql, i, c, backslashEscapes);
                text.append(sql, i, end);
                leading = false;
                i = end;
            } else if (c == '#' || (c == '-' && sql.startsWith("--", i) && (i + 2 == n || commentSpace(sql.charAt(i + 2))))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
                text.append(' ');
            } else if (c == '/' && sql.startsWith("/*", i)) {
                if (i + 2 < n && (sql.charAt(i + 2) == '!' || (sql.charAt(i + 2) == 'M' && sql.startsWith("/*M!", i)))) {
                    // Versioned comment: the server runs its contents; drop only the marker and version digits.
                    int j = i + (sql.charAt(i + 2) == '!' ? 3 : 4);
                    while (j < n && Character.isDigit(sql.charAt(j))) {
                        j++;
                    }
                    i = j;
                } else {
                    int end = sql.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                    text.append(' ');
                }
            } else if (c == '*' && sql.startsWith("*/", i)) {
                i += 2; // end of a versioned comment
                text.append(' ');
            } else if (c == ';') {
                add(out, words, text);
                words = new ArrayList<>();
                text = new StringBuilder();
                leading = true;
                i++;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_' || sql.charAt(j) == '$')) {
                    j++;
                }
                if (leading) {
                    words.add(sql.substring(i, j).toUpperCase(Locale.ROOT));
                }
                text.append(sql, i, j);
                i = j;
            } else if (Character.isWhitespace(c)) {
                text.append(c);
                i++;
            } else {
                leading = false;
                text.append(c);
                i++;
            }
        }
        add(out, words, text);
        return out;
    }

    private static void add(List<Statement> out, List<String> words, StringBuilder text) {
        if (!words.isEmpty() || !text.toString().isBlank()) {
            out.add(new Statement(List.copyOf(words), text.toString().strip()));
        }
    }

    /**
     * After "--", the servers start a comment only at a space or an ASCII control character (their lexers test
     * the next byte with my_isspace / my_iscntrl); a Unicode space such as U+2028 does not qualify.
     */
    private static boolean commentSpace(char c) {
        return c <= ' ' || c == 0x7F;
    }

    private static int skipQuoted(String sql, int start, char quote, boolean backslashEscapes) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\' && quote != '`' && backslashEscapes) {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return sql.length();
    }

    private StatementSniffer() {
    }
}
