package dev.veil.audit;

/**
 * A small lexer that knows just enough SQL to find literals: quoted strings (with doubled quotes, E'' and
 * MySQL backslash escapes), dollar-quoted strings, numbers, and the things that look like them but are
 * not (quoted identifiers, comments, parameters such as $1, names containing digits).
 */
public final class LiteralRedactor implements StatementRedactor {
    private final boolean mysql;

    /** @param mysql MySQL rules: backslash escapes in every string, "…" is a string, `…` an identifier */
    public LiteralRedactor(boolean mysql) {
        this.mysql = mysql;
    }

    @Override
    public String redact(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(sql, i, end);
                i = end;
            } else if (c == '\'' || (mysql && c == '"')) {
                boolean escapes = mysql || (i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !Character.isLetterOrDigit(sql.charAt(i - 2))));
                if (escapes && !mysql) {
                    out.setLength(out.length() - 1); // the E prefix belongs to the literal
                }
                i = skipQuoted(sql, i, c, escapes);
                out.append('?');
            } else if (c == '"' || (mysql && c == '`')) {
                int end = skipQuoted(sql, i, c, false);
                out.append(sql, i, end);
                i = end;
            } else if (c == '$' && !mysql && i + 1 < n && (sql.charAt(i + 1) == '$' || Character.isLetter(sql.charAt(i + 1)) || sql.charAt(i + 1) == '_')
                    && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
                int tagEnd = sql.indexOf('$', i + 1);
                String tag = tagEnd < 0 ? null : sql.substring(i, tagEnd + 1);
                if (tag == null || !tag.substring(1, tag.length() - 1).chars().allMatch(ch -> isWordChar((char) ch))) {
                    out.append(c);
                    i++;
                } else {
                    int close = sql.indexOf(tag, tagEnd + 1);
                    i = close < 0 ? n : close + tag.length();
                    out.append('?');
                }
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                out.append(sql, i, end); // a parameter placeholder, not a value
                i = end;
            } else if ((Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))))
                    && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
                i = skipNumber(sql, i);
                out.append('?');
            } else if (isWordChar(c)) {
                int end = i;
                while (end < n && isWordChar(sql.charAt(end))) {
                    end++;
                }
                out.append(sql, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static int skipQuoted(String sql, int start, char quote, boolean backslash) {
        int i = start + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (backslash && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    private static int skipNumber(String sql, int start) {
        int i = start;
        int n = sql.length();
        if (sql.startsWith("0x", i) || sql.startsWith("0X", i)) {
            i += 2;
            while (i < n && Character.digit(sql.charAt(i), 16) >= 0) {
                i++;
            }
            return i;
        }
        while (i < n && (Character.isDigit(sql.charAt(i)) || sql.charAt(i) == '.' || sql.charAt(i) == '_')) {
            i++;
        }
        if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
                j++;
            }
            if (j < n && Character.isDigit(sql.charAt(j))) {
                i = j;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
            }
        }
        return i;
    }
}
