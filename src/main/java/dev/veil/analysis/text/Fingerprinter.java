package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link Fingerprint}s. Two texts get the same fingerprint when they differ only in literal values,
 * parameters, comments, layout, keyword case (and, in PostgreSQL, the case of unquoted identifiers, which the
 * server folds anyway), or in the length of a literal IN list or of a multi-row VALUES list whose rows have the
 * same shape.
 *
 * <p>What is deliberately kept, because it changes what the statement means: identifiers (quoted ones
 * exactly), operators and signs ({@code -5} and {@code 5} differ), bare integers used as ORDER BY / GROUP BY /
 * DISTINCT ON ordinals, and MySQL versioned-comment markers. Adjacent string literals (implicit concatenation)
 * count as one literal.
 */
public final class Fingerprinter {
    private static final String LIST = "...";

    private Fingerprinter() {
    }

    public static Fingerprint fingerprint(Tokens tokens) {
        return fingerprint(tokens.all(), tokens.settings());
    }

    public static Fingerprint fingerprint(StatementText statement) {
        return fingerprint(statement.tokens(), statement.settings());
    }

    public static Fingerprint fingerprint(List<Token> tokens, LexicalSettings settings) {
        List<Token> code = new ArrayList<>(tokens.size());
        for (Token t : tokens) {
            if (t.kind() != TokenKind.COMMENT) {
                code.add(t);
            }
        }
        List<String> pieces = collapseValuesRows(new Pieces(code, settings.postgres()).build());
        String normalized = join(pieces);
        return new Fingerprint(settings.dialect(), hash(settings.dialect(), normalized), normalized);
    }

    /** FNV-1a over UTF-8, finished with MurmurHash3's fmix64 so that similar texts spread over all 64 bits. */
    static long hash(Dialect dialect, String normalized) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, dialect.name());
        h = fnv(h, "\n");
        h = fnv(h, normalized);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** FNV-1a steps over the UTF-8 bytes of {@code s}: ASCII read straight off the chars, no byte array made. */
    private static long fnv(long h, String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                for (byte b : s.substring(i).getBytes(StandardCharsets.UTF_8)) {
                    h ^= (b & 0xff);
                    h *= 0x100000001b3L;
                }
                return h;
            }
            h ^= c;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static String join(List<String> pieces) {
        StringBuilder sb = new StringBuilder();
        String prev = null;
        for (String p : pieces) {
            boolean tight = prev == null || prev.equals("(") || prev.equals("[") || prev.equals(".")
                    || p.equals(",") || p.equals(")") || p.equals("]") || p.equals(".") || p.equals(";");
            if (!tight) {
                sb.append(' ');
            }
            sb.append(p);
            prev = p;
        }
        return sb.toString();
    }

    /** {@code VALUES (?, ?), (?, ?), (?, ?)} → {@code VALUES (?, ?), ...} when every row has the same shape. */
    private static List<String> collapseValuesRows(List<String> pieces) {
        List<String> out = new ArrayList<>(pieces.size());
        int i = 0;
        while (i < pieces.size()) {
            String p = pieces.get(i);
            out.add(p);
            i++;
            if (!p.equals("VALUES") || i >= pieces.size() || !pieces.get(i).equals("(")) {
                continue;
            }
            List<List<String>> rows = new ArrayList<>();
            int j = i;
            while (true) {
                int close = matching(pieces, j);
                if (close < 0) {
                    break;
                }
                rows.add(pieces.subList(j, close + 1));
                j = close + 1;
                if (j + 1 < pieces.size() && pieces.get(j).equals(",") && pieces.get(j + 1).equals("(")) {
                    j++;
                } else {
                    break;
                }
            }
            if (rows.size() > 1 && rows.stream().allMatch(r -> r.equals(rows.get(0)))) {
                out.addAll(rows.get(0));
                out.add(",");
                out.add(LIST);
                i = j;
            }
        }
        return out;
    }

    private static int matching(List<String> pieces, int open) {
        if (open >= pieces.size() || !pieces.get(open).equals("(")) {
            return -1;
        }
        int depth = 0;
        for (int k = open; k < pieces.size(); k++) {
            String p = pieces.get(k);
            if (p.equals("(")) {
                depth++;
            } else if (p.equals(")")) {
                depth--;
                if (depth == 0) {
                    return k;
                }
            }
        }
        return -1;
    }

    /** First pass: one normalised piece per token, literal lists collapsed. */
    private static final class Pieces {
        private final List<Token> code;
        private final boolean pg;
        private final List<String> out = new ArrayList<>();
        private int depth;
        private int ordinalDepth = -1;

        Pieces(List<Token> code, boolean pg) {
            this.code = code;
            this.pg = pg;
        }

        List<String> build() {
            int i = 0;
            while (i < code.size()) {
                Token t = code.get(i);
                if ((t.is("IN") && isPunct(i + 1, '(')) || (t.is("ARRAY") && isPunct(i + 1, '['))) {
                    int end = literalListEnd(i + 1);
                    if (end > 0) {
                        out.add(fold(i));
                        out.add(code.get(i + 1).text());
                        out.add("?");
                        out.add(",");
                        out.add(LIST);
                        out.add(code.get(end).text());
                        i = end + 1;
                        continue;
                    }
                }
                piece(i);
                i++;
            }
            return out;
        }

        private void piece(int i) {
            Token t = code.get(i);
            trackOrdinalClauses(i);
            switch (t.kind()) {
                case STRING:
                case BIT_STRING:
                    if (i > 0 && code.get(i - 1).kind() == TokenKind.STRING && t.kind() == TokenKind.STRING) {
                        return; // 'a' 'b' is one literal
                    }
                    out.add("?");
                    return;
                case NUMBER:
                    out.add(isOrdinal(i) ? t.text() : "?");
                    return;
                case PARAMETER:
                    out.add("?");
                    return;
                case WORD:
                    out.add(fold(i));
                    return;
                case VERSIONED_COMMENT_END:
                    out.add("*/");
                    return;
                default:
                    out.add(t.text());
            }
        }

        private String fold(int i) {
            boolean afterDot = i > 0 && code.get(i - 1).isPunct('.');
            return Keywords.fold(code.get(i).text(), pg, afterDot);
        }

        /** Index of the closing bracket when everything between is literals or parameters separated by commas. */
        private int literalListEnd(int open) {
            char close = code.get(open).isPunct('(') ? ')' : ']';
            int k = open + 1;
            boolean expectItem = true;
            while (k < code.size()) {
                Token t = code.get(k);
                if (expectItem) {
                    if ((t.isOperator("-") || t.isOperator("+")) && k + 1 < code.size()
                            && code.get(k + 1).kind() == TokenKind.NUMBER) {
                        k++;
                        t = code.get(k);
                    }
                    if (!t.kind().isLiteral() && t.kind() != TokenKind.PARAMETER) {
                        return -1;
                    }
                    while (k + 1 < code.size() && t.kind() == TokenKind.STRING
                            && code.get(k + 1).kind() == TokenKind.STRING) {
                        k++;
                    }
                    expectItem = false;
                } else if (t.isPunct(',')) {
                    expectItem = true;
                } else if (t.isPunct(close)) {
                    return k;
                } else {
                    return -1;
                }
                k++;
            }
            return -1;
        }

        private void trackOrdinalClauses(int i) {
            Token t = code.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
                if (ordinalDepth > depth) {
                    ordinalDepth = -1;
                }
            } else if (t.is("BY") && i > 0 && code.get(i - 1).isAny("ORDER", "GROUP")) {
                ordinalDepth = depth;
            } else if (depth == ordinalDepth && (t.isPunct(';') || t.isAny("LIMIT", "OFFSET", "HAVING", "WINDOW",
                    "FETCH", "FOR", "UNION", "EXCEPT", "INTERSECT", "LOCK", "INTO", "RETURNING"))) {
                ordinalDepth = -1;
            }
            if (t.isPunct('(') && i > 1 && code.get(i - 1).is("ON") && code.get(i - 2).is("DISTINCT")) {
                ordinalDepth = depth;
            }
        }

        /** A bare integer that is a whole ORDER BY / GROUP BY / DISTINCT ON item refers to an output column. */
        private boolean isOrdinal(int i) {
            if (ordinalDepth < 0 || depth != ordinalDepth || !code.get(i).text().chars().allMatch(Character::isDigit)) {
                return false;
            }
            Token prev = code.get(i - 1);
            boolean startsItem = prev.is("BY") || prev.isPunct(',') || prev.isPunct('(');
            if (!startsItem) {
                return false;
            }
            if (i + 1 >= code.size()) {
                return true;
            }
            Token next = code.get(i + 1);
            return next.isPunct(',') || next.isPunct(')') || next.isPunct(';') || next.isAny("ASC", "DESC", "NULLS",
                    "LIMIT", "OFFSET", "HAVING", "WINDOW", "FETCH", "FOR", "UNION", "EXCEPT", "INTERSECT", "WITH",
                    "LOCK", "INTO", "RETURNING", "ORDER", "USING");
        }

        private boolean isPunct(int i, char c) {
            return i < code.size() && code.get(i).isPunct(c);
        }
    }
}
