package dev.veil.analysis;

import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;

import java.util.ArrayList;
import java.util.List;

/**
 * Shortens the lists of constants a statement holds before Calcite sees it: a VALUES list whose rows hold only
 * constants (literals, parameters, NULL, DEFAULT, TRUE / FALSE, casts of those) becomes one row, and an IN (…) or
 * ARRAY[…] list of literals or parameters becomes its first item. Calcite parses, validates and converts every
 * row and item (an INSERT of 10,000 rows of parameters took seconds), and none of them changes the analysis: a
 * constant has no origin, so what a VALUES list writes and returns is its columns, whatever the number of rows,
 * and an IN list of constants filters on its left side, whatever its length. The fingerprint, and so the
 * analysis cache, already treats lists of any length as one statement.
 *
 * <p>The row kept takes, column by column, the first item of any row that is not NULL or DEFAULT, so that
 * Calcite types the column as the rows do. Removed text becomes a comment token, which renders as a space.
 */
final class ConstantLists {
    private ConstantLists() {
    }

    /** The tokens of one statement (comments included) with its constant lists collapsed. */
    static List<Token> collapse(List<Token> all) {
        List<Integer> code = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).kind().isTrivia()) {
                code.add(i);
            }
        }
        List<Token> out = null;
        int copied = 0;
        for (int c = 0; c + 1 < code.size(); c++) {
            Token t = all.get(code.get(c));
            Token next = all.get(code.get(c + 1));
            Replacement r = null;
            if (t.is("VALUES") && next.isPunct('(')) {
                r = values(all, code, c + 1);
            } else if (t.is("IN") && next.isPunct('(') || t.is("ARRAY") && next.isPunct('[')) {
                r = list(all, code, c + 1);
            }
            if (r == null) {
                continue;
            }
            if (out == null) {
                out = new ArrayList<>(all.size());
            }
            out.addAll(all.subList(copied, code.get(c + 1)));
            out.addAll(r.tokens);
            copied = code.get(r.lastCode) + 1;
            c = r.lastCode;
        }
        if (out == null) {
            return all;
        }
        out.addAll(all.subList(copied, all.size()));
        return out;
    }

    /** What replaces the code tokens from an opening bracket through {@code lastCode} (an index into code). */
    private record Replacement(List<Token> tokens, int lastCode) {
    }

    /** One item of a list: code indices {@code from} to {@code to}, inclusive. */
    private record Item(int from, int to) {
    }

    private static Replacement values(List<Token> all, List<Integer> code, int open) {
        List<List<Item>> rows = new ArrayList<>();
        int c = open;
        while (true) {
            List<Item> row = new ArrayList<>();
            int close = items(all, code, c, ')', true, row);
            if (close < 0 || !rows.isEmpty() && row.size() != rows.get(0).size()) {
                return null;
            }
            rows.add(row);
            if (close + 2 < code.size() && at(all, code, close + 1).isPunct(',') && at(all, code, close + 2).isPunct('(')) {
                c = close + 2;
            } else {
                c = close;
                break;
            }
        }
        if (rows.size() < 2) {
            return null;
        }
        List<Token> out = new ArrayList<>();
        out.add(at(all, code, open));
        List<Item> first = rows.get(0);
        for (int column = 0; column < first.size(); column++) {
            Item chosen = first.get(column);
            for (List<Item> row : rows) {
                if (!nullOrDefault(all, code, row.get(column))) {
                    chosen = row.get(column);
                    break;
                }
            }
            if (column > 0) {
                out.add(at(all, code, first.get(column - 1).to + 1)); // the row's own comma
            }
            out.add(gap(at(all, code, chosen.from)));
            for (int k = chosen.from; k <= chosen.to; k++) {
                out.add(at(all, code, k));
            }
            out.add(gap(at(all, code, chosen.to)));
        }
        Token close = at(all, code, first.get(first.size() - 1).to + 1);
        out.add(close);
        out.add(gap(close)); // what follows the last row is not next to the first row's end
        return new Replacement(out, c);
    }

    private static Replacement list(List<Token> all, List<Integer> code, int open) {
        char closing = at(all, code, open).isPunct('(') ? ')' : ']';
        List<Item> items = new ArrayList<>();
        int close = items(all, code, open, closing, false, items);
        if (close < 0 || items.size() < 2) {
            return null;
        }
        Item first = items.get(0);
        List<Token> out = new ArrayList<>();
        out.add(at(all, code, open));
        for (int k = first.from; k <= first.to; k++) {
            out.add(at(all, code, k));
        }
        out.add(gap(at(all, code, first.to)));
        out.add(at(all, code, close));
        return new Replacement(out, close);
    }

    /**
     * Reads the constant items of the list opened at code index {@code open} into {@code out}: the code index of
     * its closing bracket, or -1 when anything in it is not a constant. {@code rowItems}: the items of a VALUES
     * row, which may also be NULL, DEFAULT, TRUE, FALSE and typed or cast constants.
     */
    private static int items(List<Token> all, List<Integer> code, int open, char closing, boolean rowItems,
                             List<Item> out) {
        int c = open + 1;
        while (c < code.size()) {
            int end = rowItems ? rowItem(all, code, c) : listItem(all, code, c);
            if (end < 0 || end + 1 >= code.size()) {
                return -1;
            }
            out.add(new Item(c, end));
            Token after = at(all, code, end + 1);
            if (after.isPunct(closing)) {
                return end + 1;
            }
            if (!after.isPunct(',')) {
                return -1;
            }
            c = end + 2;
        }
        return -1;
    }

    /** The last code index of a signed literal or parameter starting at {@code c} (adjacent strings are one), or -1. */
    private static int listItem(List<Token> all, List<Integer> code, int c) {
        Token t = at(all, code, c);
        if ((t.isOperator("-") || t.isOperator("+")) && c + 1 < code.size()
                && at(all, code, c + 1).kind() == TokenKind.NUMBER) {
            return c + 1;
        }
        if (t.kind() == TokenKind.PARAMETER || t.kind() == TokenKind.NUMBER || t.kind() == TokenKind.BIT_STRING) {
            return c;
        }
        if (t.kind() == TokenKind.STRING) {
            while (c + 1 < code.size() && at(all, code, c + 1).kind() == TokenKind.STRING) {
                c++;
            }
            return c;
        }
        return -1;
    }

    /** A list item, a keyword constant or a typed literal (DATE '…'), then any number of casts ({@code ::type}). */
    private static int rowItem(List<Token> all, List<Integer> code, int c) {
        Token t = at(all, code, c);
        int end;
        if (t.isAny("NULL", "DEFAULT", "TRUE", "FALSE")) {
            end = c;
        } else if (t.isAny("DATE", "TIME", "TIMESTAMP") && c + 1 < code.size()
                && at(all, code, c + 1).kind() == TokenKind.STRING) {
            end = c + 1;
        } else {
            end = listItem(all, code, c);
        }
        while (end >= 0 && end + 2 < code.size() && at(all, code, end + 1).isOperator("::")
                && at(all, code, end + 2).isName()) {
            end += 2;
            if (end + 3 < code.size() && at(all, code, end + 1).isPunct('(')
                    && at(all, code, end + 2).kind() == TokenKind.NUMBER && at(all, code, end + 3).isPunct(')')) {
                end += 3;
            }
            if (end + 2 < code.size() && at(all, code, end + 1).isPunct('[') && at(all, code, end + 2).isPunct(']')) {
                end += 2;
            }
        }
        return end;
    }

    private static boolean nullOrDefault(List<Token> all, List<Integer> code, Item item) {
        return at(all, code, item.from).isAny("NULL", "DEFAULT");
    }

    private static Token at(List<Token> all, List<Integer> code, int c) {
        return all.get(code.get(c));
    }

    /** A comment of no length: the statement text renders it as a space. */
    private static Token gap(Token near) {
        return new Token(TokenKind.COMMENT, near.end(), near.end(), "", null);
    }
}
