package dev.veil.analysis.text;

/** Escape decoding for PostgreSQL E'' and U&'' literals (scan.l's xe and xus rules). */
final class StringEscapes {
    private StringEscapes() {
    }

    /** The UESCAPE clause after a U&amp; literal: where it ends and which escape character it names. */
    record Uescape(int end, char escape, boolean valid) {
    }

    /**
     * Decodes the backslash escape at {@code s[i]} into {@code out}.
     *
     * @return characters consumed, or -1 for an escape PostgreSQL rejects
     */
    static int appendPostgresEscape(String s, int i, StringBuilder out) {
        char c = s.charAt(i + 1);
        switch (c) {
            case 'b':
                out.append('\b');
                return 2;
            case 'f':
                out.append('\f');
                return 2;
            case 'n':
                out.append('\n');
                return 2;
            case 'r':
                out.append('\r');
                return 2;
            case 't':
                out.append('\t');
                return 2;
            case 'x': {
                int e = i + 2;
                while (e < s.length() && e < i + 4 && Character.digit(s.charAt(e), 16) >= 0) {
                    e++;
                }
                if (e == i + 2) {
                    out.append('x'); // "\x" without digits is just x
                    return 2;
                }
                out.append((char) Integer.parseInt(s.substring(i + 2, e), 16));
                return e - i;
            }
            case 'u':
            case 'U': {
                int digits = c == 'u' ? 4 : 8;
                if (i + 2 + digits > s.length()) {
                    return -1;
                }
                String hex = s.substring(i + 2, i + 2 + digits);
                if (!hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                    return -1;
                }
                long cp = Long.parseLong(hex, 16);
                if (cp > Character.MAX_CODE_POINT || cp == 0) {
                    return -1;
                }
                out.appendCodePoint((int) cp);
                return 2 + digits;
            }
            default:
                if (c >= '0' && c <= '7') {
                    int e = i + 1;
                    while (e < s.length() && e < i + 4 && s.charAt(e) >= '0' && s.charAt(e) <= '7') {
                        e++;
                    }
                    out.append((char) Integer.parseInt(s.substring(i + 1, e), 8));
                    return e - i;
                }
                out.append(c);
                return 2;
        }
    }

    /** Looks past whitespace and comments after a U&amp; literal for {@code UESCAPE 'c'}; null when absent. */
    static Uescape findUescape(String s, int from) {
        int i = skipLayout(s, from);
        if (!s.regionMatches(true, i, "UESCAPE", 0, 7)) {
            return null;
        }
        int after = i + 7;
        if (after < s.length() && (Character.isLetterOrDigit(s.charAt(after)) || s.charAt(after) == '_'
                || s.charAt(after) == '$' || s.charAt(after) >= 0x80)) {
            return null; // a longer identifier such as uescapes
        }
        int q = skipLayout(s, after);
        if (q >= s.length() || s.charAt(q) != '\'') {
            return new Uescape(Math.min(q + 1, s.length()), '\\', false);
        }
        int close = s.indexOf('\'', q + 1);
        if (close < 0) {
            return new Uescape(s.length(), '\\', false);
        }
        String text = s.substring(q + 1, close);
        boolean valid = text.length() == 1 && validEscapeChar(text.charAt(0));
        return new Uescape(close + 1, valid ? text.charAt(0) : '\\', valid);
    }

    /** scan.l: the escape may not be a hex digit, '+', a quote or whitespace. */
    private static boolean validEscapeChar(char c) {
        return Character.digit(c, 16) < 0 && c != '+' && c != '\'' && c != '"' && !Character.isWhitespace(c);
    }

    private static int skipLayout(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int close = s.indexOf("*/", i + 2);
                if (close < 0) {
                    return n;
                }
                i = close + 2;
            } else {
                return i;
            }
        }
        return i;
    }

    /** Decodes U&amp; escapes ({@code \XXXX}, {@code \+XXXXXX}, doubled escape); null when invalid. */
    static String decodeUnicode(String raw, char escape) {
        StringBuilder out = new StringBuilder(raw.length());
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c != escape) {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < raw.length() && raw.charAt(i + 1) == escape) {
                out.append(escape);
                i += 2;
                continue;
            }
            int digits = (i + 1 < raw.length() && raw.charAt(i + 1) == '+') ? 6 : 4;
            int from = i + 1 + (digits == 6 ? 1 : 0);
            if (from + digits > raw.length()) {
                return null;
            }
            String hex = raw.substring(from, from + digits);
            if (!hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                return null;
            }
            int cp = Integer.parseInt(hex, 16);
            if (cp == 0 || cp > Character.MAX_CODE_POINT) {
                return null;
            }
            out.appendCodePoint(cp);
            i = from + digits;
        }
        return validSurrogates(out) ? out.toString() : null;
    }

    private static boolean validSurrogates(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
