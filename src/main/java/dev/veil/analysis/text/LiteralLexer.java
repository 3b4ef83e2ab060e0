package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Lexer state and the scanning of quoted literals (strings, quoted identifiers, dollar quotes, bit strings),
 * the part of {@link Lexer} where one wrong step would let text escape a string. One instance per text.
 */
abstract class LiteralLexer {
    final String s;
    final int n;
    final LexicalSettings set;
    final boolean pg;
    final List<Token> out = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    int pos;
    boolean inVersionedComment;

    LiteralLexer(String s, LexicalSettings set) {
        this.s = s;
        this.n = s.length();
        this.set = set;
        this.pg = set.postgres();
    }

    // ---- quoted strings and identifiers -----------------------------------------------------------

    /**
     * A quoted run starting at {@code quotePos} (the token starts at {@code tokenStart}, before any prefix).
     * Doubling the quote always escapes it; backslash escapes only when {@code backslash}.
     */
    final void quoted(int tokenStart, int quotePos, char q, boolean backslash, TokenKind kind) {
        StringBuilder value = new StringBuilder();
        int i = quotePos + 1;
        while (i < n) {
            char c = s.charAt(i);
            if (c == q) {
                if (at(i + 1) == q) {
                    value.append(q);
                    i += 2;
                    continue;
                }
                finishQuoted(tokenStart, i + 1, kind, value.toString(), q);
                return;
            }
            if (c == '\\' && backslash && i + 1 < n) {
                value.append(mysqlOrLegacyEscape(s.charAt(i + 1)));
                i += 2;
                continue;
            }
            value.append(c);
            i++;
        }
        error(tokenStart, n, kind == TokenKind.QUOTED_IDENTIFIER ? "unterminated quoted identifier"
                : "unterminated string literal");
    }

    final void finishQuoted(int start, int end, TokenKind kind, String value, char q) {
        if (kind == TokenKind.QUOTED_IDENTIFIER && value.isEmpty()) {
            error(start, end, "zero-length quoted identifier");
            return;
        }
        emit(kind, start, end, value);
    }

    /** MySQL's escapes (and PostgreSQL's with standard_conforming_strings off, for the common ones). */
    final String mysqlOrLegacyEscape(char c) {
        switch (c) {
            case '0':
                return pg ? "0" : "\0";
            case 'b':
                return "\b";
            case 'n':
                return "\n";
            case 'r':
                return "\r";
            case 't':
                return "\t";
            case 'Z':
                return pg ? "Z" : "\u001a";
            case '%':
            case '_':
                // MySQL keeps the backslash so LIKE still sees an escaped wildcard.
                return pg ? String.valueOf(c) : "\\" + c;
            default:
                return String.valueOf(c);
        }
    }

    final void extendedString(int tokenStart, int quotePos) {
        StringBuilder value = new StringBuilder();
        int i = quotePos + 1;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\'') {
                if (at(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                    continue;
                }
                emit(TokenKind.STRING, tokenStart, i + 1, value.toString());
                return;
            }
            if (c == '\\' && i + 1 < n) {
                int consumed = StringEscapes.appendPostgresEscape(s, i, value);
                if (consumed < 0) {
                    skipToQuoteEnd(tokenStart, i, "invalid escape in E'' string");
                    return;
                }
                i += consumed;
                continue;
            }
            value.append(c);
            i++;
        }
        error(tokenStart, n, "unterminated string literal");
    }

    /** After a bad escape, still find the closing quote so the rest of the text lexes as the server would. */
    final void skipToQuoteEnd(int tokenStart, int from, String why) {
        int i = from + 2;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '\'' && at(i + 1) == '\'') {
                i += 2;
            } else if (c == '\'') {
                error(tokenStart, i + 1, why);
                return;
            } else {
                i++;
            }
        }
        error(tokenStart, n, why);
    }

    /** U&'…' or U&"…", with an optional UESCAPE 'c' clause folded into the same token. */
    final void unicodeQuoted(int tokenStart, char q) {
        int quotePos = tokenStart + 2;
        int i = quotePos + 1;
        StringBuilder raw = new StringBuilder();
        while (i < n) {
            char c = s.charAt(i);
            if (c == q) {
                if (at(i + 1) == q) {
                    raw.append(q);
                    i += 2;
                    continue;
                }
                break;
            }
            raw.append(c);
            i++;
        }
        if (i >= n) {
            error(tokenStart, n, q == '"' ? "unterminated quoted identifier" : "unterminated string literal");
            return;
        }
        int end = i + 1;
        char escape = '\\';
        StringEscapes.Uescape clause = StringEscapes.findUescape(s, end);
        if (clause != null) {
            if (!clause.valid()) {
                error(tokenStart, clause.end(), "invalid UESCAPE clause");
                return;
            }
            escape = clause.escape();
            end = clause.end();
        }
        String value = StringEscapes.decodeUnicode(raw.toString(), escape);
        if (value == null) {
            error(tokenStart, end, "invalid Unicode escape");
        } else if (q == '"' && value.isEmpty()) {
            error(tokenStart, end, "zero-length quoted identifier");
        } else {
            emit(q == '"' ? TokenKind.QUOTED_IDENTIFIER : TokenKind.STRING, tokenStart, end, value);
        }
    }

    /** X'…' / B'…': no escapes, content checked loosely (the server reports bad digits itself). */
    final void bitString(int tokenStart) {
        int i = tokenStart + 2;
        while (i < n && s.charAt(i) != '\'') {
            i++;
        }
        if (i >= n) {
            error(tokenStart, n, "unterminated bit-string literal");
            return;
        }
        emit(TokenKind.BIT_STRING, tokenStart, i + 1, null);
    }

    // ---- PostgreSQL dollar quoting and parameters --------------------------------------------------

    final void dollar() {
        int start = pos;
        if (isDigit(at(pos + 1))) {
            int e = pos + 1;
            while (e < n && isDigit(s.charAt(e))) {
                e++;
            }
            emit(TokenKind.PARAMETER, start, e, null);
            return;
        }
        int e = pos + 1;
        if (isDollarTagStart(at(e))) {
            e++;
            while (e < n && isDollarTagPart(s.charAt(e))) {
                e++;
            }
        }
        if (at(e) != '$') {
            error(start, start + 1, "stray '$'");
            return;
        }
        String delimiter = s.substring(start, e + 1);
        int close = s.indexOf(delimiter, e + 1);
        if (close < 0) {
            error(start, n, "unterminated dollar-quoted string");
            return;
        }
        emit(TokenKind.STRING, start, close + delimiter.length(), s.substring(e + 1, close));
    }

    static boolean isDollarTagStart(char c) {
        return Character.isLetter(c) || c == '_' || c >= 0x80;
    }

    static boolean isDollarTagPart(char c) {
        return isDollarTagStart(c) || isDigit(c);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Only ASCII layout characters: the servers read other Unicode spaces as identifier characters. */
    final boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || (!pg && c == 0x0B);
    }

    final char at(int i) {
        return i < n ? s.charAt(i) : '\0';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isHexDigit(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    final void emit(TokenKind kind, int start, int end, String value) {
        out.add(new Token(kind, start, end, s.substring(start, end), value));
        pos = Math.max(pos, end);
    }

    final void error(int start, int end, String why) {
        out.add(new Token(TokenKind.ERROR, start, end, s.substring(start, end), null));
        problems.add(why + " at offset " + start);
        pos = Math.max(end, start + 1);
        if (pos > n) {
            pos = n;
        }
    }
}
