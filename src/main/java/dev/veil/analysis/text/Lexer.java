package dev.veil.analysis.text;

import java.util.Set;

/** The main loop of {@link SqlTokenizer}: comments, numbers, words, variables, operators. One instance per text. */
final class Lexer extends LiteralLexer {
    private static final Set<String> MYSQL_CHARSETS = Set.of("armscii8", "ascii", "big5", "binary", "cp1250",
            "cp1251", "cp1256", "cp1257", "cp850", "cp852", "cp866", "cp932", "dec8", "eucjpms", "euckr",
            "gb18030", "gb2312", "gbk", "geostd8", "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin1",
            "latin2", "latin5", "latin7", "macce", "macroman", "sjis", "swe7", "tis620", "ucs2", "ujis", "utf16",
            "utf16le", "utf32", "utf8", "utf8mb3", "utf8mb4");
    /** Longest first, so that the first match is the maximal munch. */
    private static final String[] MYSQL_OPERATORS = {"<=>", "->>", "<=", ">=", "<>", "!=", "<<", ">>", "&&",
            "||", ":=", "->", "=", "<", ">", "!", "~", "+", "-", "*", "/", "%", "^", "&", "|"};
    private static final String PG_OP_CHARS = "~!@#^&|`?+-*/%<>=";
    private static final String PG_OP_SPECIAL = "~!@#%^&|`?";

    Lexer(String s, LexicalSettings set) {
        super(s, set);
    }

    Tokens run() {
        while (pos < n) {
            char c = s.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (inVersionedComment && c == '*' && at(pos + 1) == '/') {
                emit(TokenKind.VERSIONED_COMMENT_END, pos, pos + 2, null);
                inVersionedComment = false;
            } else if (c == '-' && at(pos + 1) == '-' && (pg || dashCommentFollows(pos + 2))) {
                lineComment();
            } else if (c == '#' && !pg) {
                lineComment();
            } else if (c == '/' && at(pos + 1) == '*') {
                blockComment();
            } else if (c == '\'') {
                quoted(pos, pos, '\'', pg ? !set.standardConformingStrings() : set.backslashEscapes(),
                        TokenKind.STRING);
            } else if (c == '"') {
                if (pg || set.ansiQuotes()) {
                    quoted(pos, pos, '"', false, TokenKind.QUOTED_IDENTIFIER);
                } else {
                    quoted(pos, pos, '"', set.backslashEscapes(), TokenKind.STRING);
                }
            } else if (c == '`' && !pg) {
                quoted(pos, pos, '`', false, TokenKind.QUOTED_IDENTIFIER);
            } else if (c == '$' && pg) {
                dollar();
            } else if (isDigit(c) || (c == '.' && isDigit(at(pos + 1)))) {
                number();
            } else if (c == '@' && !pg) {
                at();
            } else if (c == '?' && !pg) {
                emit(TokenKind.PARAMETER, pos, pos + 1, null);
            } else if (c == '\\' && !pg && at(pos + 1) == 'N' && !isIdentPart(at(pos + 2))) {
                emit(TokenKind.WORD, pos, pos + 2, null); // MySQL's \N is NULL
            } else if (isIdentStart(c) || (c == '$' && !pg)) {
                wordOrPrefixedLiteral();
            } else if ("()[],;.:{}".indexOf(c) >= 0) {
                punctuationOrColonOperator(c);
            } else if (pg ? PG_OP_CHARS.indexOf(c) >= 0 : isMySqlOperatorStart()) {
                operator();
            } else {
                error(pos, pos + Character.charCount(s.codePointAt(pos)), "unexpected character");
            }
        }
        if (inVersionedComment) {
            error(n, n, "unterminated versioned comment");
        }
        return new Tokens(s, set, out, problems);
    }

    // ---- comments -------------------------------------------------------------------------------

    /** MySQL needs a space or control character (or the end) after "--"; "1--1" is 1 - -1. */
    private boolean dashCommentFollows(int i) {
        if (i >= n) {
            return true;
        }
        char c = s.charAt(i);
        return c <= ' ' || c == 0x7f;
    }

    /**
     * To the end of the line. PostgreSQL's scan.l ends it at \n or \r; the MySQL and MariaDB lexers only at \n,
     * so there a lone \r does not end the comment: what follows it on the line is not code.
     */
    private void lineComment() {
        int start = pos;
        int e = start;
        while (e < n && s.charAt(e) != '\n' && (s.charAt(e) != '\r' || !pg)) {
            e++;
        }
        emit(TokenKind.COMMENT, start, e, null);
    }

    private void blockComment() {
        int start = pos;
        if (!pg && (at(pos + 2) == '!' || (at(pos + 2) == 'M' && at(pos + 3) == '!'))) {
            if (inVersionedComment) {
                // MySQL rejects nested versioned comments; keep lexing as code but flag it.
                error(start, start + 3, "versioned comment inside a versioned comment");
                return;
            }
            int e = pos + (at(pos + 2) == '!' ? 3 : 4);
            int digits = 0;
            while (e < n && isDigit(s.charAt(e)) && digits < 6) {
                e++;
                digits++;
            }
            emit(TokenKind.VERSIONED_COMMENT_START, start, e, null);
            inVersionedComment = true;
            return;
        }
        int depth = 0;
        int i = pos;
        while (i < n) {
            if (s.charAt(i) == '/' && at(i + 1) == '*') {
                if (pg || depth == 0) {
                    depth++;
                }
                i += 2;
            } else if (s.charAt(i) == '*' && at(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    emit(TokenKind.COMMENT, start, i, null);
                    return;
                }
            } else {
                i++;
            }
        }
        error(start, n, "unterminated block comment");
    }

    // ---- numbers ----------------------------------------------------------------------------------

    private void number() {
        int start = pos;
        int i = pos;
        char c0 = s.charAt(i);
        char c1 = Character.toLowerCase(at(i + 1));
        if (c0 == '0' && (c1 == 'x' || c1 == 'b' || (pg && c1 == 'o'))) {
            int e = i + 2;
            while (e < n && (isHexDigit(s.charAt(e)) || (pg && s.charAt(e) == '_'))) {
                e++;
            }
            boolean junk = e < n && isIdentPart(s.charAt(e));
            if (e > i + 2 && !(junk && !pg)) {
                emit(TokenKind.NUMBER, start, e, null);
                return;
            }
            if (!pg) {
                word(start); // MySQL: 0xZZ is an identifier
                return;
            }
        }
        boolean sawDot = false;
        while (i < n) {
            char c = s.charAt(i);
            if (isDigit(c) || (pg && c == '_' && isDigit(at(i + 1)) && i > start)) {
                i++;
            } else if (c == '.' && !sawDot && at(i + 1) != '.') {
                sawDot = true;
                i++;
            } else {
                break;
            }
        }
        char e = at(i);
        if ((e == 'e' || e == 'E') && (isDigit(at(i + 1))
                || ((at(i + 1) == '+' || at(i + 1) == '-') && isDigit(at(i + 2))))) {
            i += 2;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
        }
        if (!pg && !sawDot && i < n && isIdentPart(s.charAt(i))) {
            word(start); // MySQL: 1abc is an identifier
            return;
        }
        emit(TokenKind.NUMBER, start, i, null);
    }

    // ---- words, prefixed literals, variables -------------------------------------------------------

    private void wordOrPrefixedLiteral() {
        int start = pos;
        char c = Character.toLowerCase(s.charAt(pos));
        char next = at(pos + 1);
        if (next == '\'') {
            if (c == 'x' || c == 'b') {
                bitString(start);
                return;
            }
            if (c == 'n') {
                quoted(start, pos + 1, '\'', pg ? !set.standardConformingStrings() : set.backslashEscapes(),
                        TokenKind.STRING);
                return;
            }
            if (pg && c == 'e') {
                extendedString(start, pos + 1);
                return;
            }
        }
        if (pg && c == 'u' && next == '&' && (at(pos + 2) == '\'' || at(pos + 2) == '"')) {
            unicodeQuoted(start, at(pos + 2));
            return;
        }
        int e = identEnd(pos);
        if (!pg && s.charAt(start) == '_' && MYSQL_CHARSETS.contains(s.substring(start + 1, e).toLowerCase())) {
            if (introducedLiteral(start, e)) {
                return;
            }
        }
        emit(TokenKind.WORD, start, e, null);
    }

    /** MySQL {@code _utf8mb4'…'} (whitespace allowed): the introducer becomes part of the literal token. */
    private boolean introducedLiteral(int start, int wordEnd) {
        int i = wordEnd;
        while (i < n && isSpace(s.charAt(i))) {
            i++;
        }
        char c = at(i);
        char lower = Character.toLowerCase(c);
        boolean string = c == '\'' || (c == '"' && !set.ansiQuotes());
        boolean bits = (lower == 'x' || lower == 'b') && at(i + 1) == '\'';
        boolean hex = c == '0' && (Character.toLowerCase(at(i + 1)) == 'x' || Character.toLowerCase(at(i + 1)) == 'b');
        if (!string && !bits && !hex) {
            return false;
        }
        int before = out.size();
        pos = i;
        if (string) {
            quoted(i, i, c, set.backslashEscapes(), TokenKind.STRING);
        } else if (bits) {
            bitString(i);
        } else {
            number();
        }
        if (out.size() == before + 1 && out.get(before).kind() != TokenKind.ERROR) {
            Token lit = out.remove(before);
            out.add(new Token(lit.kind(), start, lit.end(), s.substring(start, lit.end()), lit.value()));
        } else {
            out.add(before, new Token(TokenKind.WORD, start, wordEnd, s.substring(start, wordEnd), null));
        }
        return true;
    }

    private void word(int start) {
        emit(TokenKind.WORD, start, identEnd(start), null);
    }

    private int identEnd(int from) {
        int e = from + 1;
        while (e < n && isIdentPart(s.charAt(e))) {
            e++;
        }
        return e;
    }

    /** MySQL @: a user variable, a system variable, or the separator in 'user'@'host'. */
    private void at() {
        int start = pos;
        Token prev = out.isEmpty() ? null : out.get(out.size() - 1);
        if (prev != null && prev.end() == start && (prev.kind() == TokenKind.STRING
                || prev.kind() == TokenKind.QUOTED_IDENTIFIER || prev.kind() == TokenKind.WORD)) {
            emit(TokenKind.PUNCTUATION, start, start + 1, null);
            return;
        }
        int i = pos + 1;
        if (at(i) == '@') {
            i++;
        }
        char c = at(i);
        if (c == '\'' || c == '"' || c == '`') {
            pos = i;
            quoted(start, i, c, c != '`' && set.backslashEscapes(), TokenKind.VARIABLE);
            return;
        }
        int e = i;
        while (e < n && (isIdentPart(s.charAt(e)) || s.charAt(e) == '.')) {
            e++;
        }
        if (e == i) {
            error(start, i, "'@' without a variable name");
            return;
        }
        emit(TokenKind.VARIABLE, start, e, null);
    }

    // ---- punctuation and operators ----------------------------------------------------------------

    private void punctuationOrColonOperator(char c) {
        if (c == ':' && (at(pos + 1) == ':' || at(pos + 1) == '=')) {
            emit(TokenKind.OPERATOR, pos, pos + 2, null);
        } else if (pg && (c == '{' || c == '}')) {
            error(pos, pos + 1, "unexpected character");
        } else {
            emit(TokenKind.PUNCTUATION, pos, pos + 1, null);
        }
    }

    private boolean isMySqlOperatorStart() {
        return "=<>!~+-*/%^&|".indexOf(s.charAt(pos)) >= 0;
    }

    private void operator() {
        int start = pos;
        if (!pg) {
            for (String op : MYSQL_OPERATORS) {
                if (s.startsWith(op, start)) {
                    emit(TokenKind.OPERATOR, start, start + op.length(), null);
                    return;
                }
            }
            error(start, start + 1, "unexpected character");
            return;
        }
        int e = start;
        while (e < n && PG_OP_CHARS.indexOf(s.charAt(e)) >= 0) {
            // "--" and "/*" inside an operator start a comment (scan.l).
            if (e > start && ((s.charAt(e) == '-' && at(e + 1) == '-') || (s.charAt(e) == '/' && at(e + 1) == '*'))) {
                break;
            }
            e++;
        }
        if (e - start > 1) {
            boolean special = false;
            for (int i = start; i < e; i++) {
                if (PG_OP_SPECIAL.indexOf(s.charAt(i)) >= 0) {
                    special = true;
                    break;
                }
            }
            while (!special && e - start > 1 && (s.charAt(e - 1) == '+' || s.charAt(e - 1) == '-')) {
                e--;
            }
        }
        emit(TokenKind.OPERATOR, start, e, null);
    }

}
