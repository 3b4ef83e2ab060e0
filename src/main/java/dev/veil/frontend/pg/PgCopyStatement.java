package dev.veil.frontend.pg;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.Token;
import dev.veil.analysis.text.TokenKind;
import dev.veil.analysis.text.Tokens;
import dev.veil.protocol.pg.CopyFormat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * What Veil needs to mask a {@code COPY … TO STDOUT}: a query with the copy's columns, for the server to describe
 * (a COPY's answer names no column types, and the mask functions need them), and the copy's textual format with
 * its options (the wire's CopyOutResponse says only "textual": text and CSV differ in every byte). Both the option
 * list ({@code WITH (FORMAT csv, DELIMITER ';', …)}) and the older syntax ({@code WITH CSV HEADER QUOTE AS '"'}) are
 * read. {@code problem} is set instead when Veil cannot mask the copy: binary format, an ENCODING other than UTF-8,
 * an option it does not know.
 */
record PgCopyStatement(String describeSql, CopyFormat format, String problem) {

    /** The COPY … TO STDOUT in {@code sql}, or null when the text is not one. */
    static PgCopyStatement parse(String sql) {
        if (sql == null) {
            return null;
        }
        Tokens tokens = SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize(sql);
        List<Token> t = tokens.code();
        if (tokens.malformed() || t.isEmpty() || !t.get(0).is("COPY")) {
            return null;
        }
        int i = 1;
        boolean binary = false;
        if (i < t.size() && t.get(i).is("BINARY")) {
            binary = true; // COPY BINARY table TO …, the oldest syntax
            i++;
        }
        String describe;
        if (i < t.size() && t.get(i).isPunct('(')) {
            int close = matching(t, i);
            if (close < 0) {
                return null;
            }
            describe = sql.substring(t.get(i).end(), t.get(close).start());
            i = close + 1;
        } else {
            int nameStart = i;
            while (i < t.size() && (t.get(i).isName() || t.get(i).isPunct('.')) && !t.get(i).isAny("TO", "FROM")) {
                i++;
            }
            if (i == nameStart) {
                return null;
            }
            String table = sql.substring(t.get(nameStart).start(), t.get(i - 1).end());
            String columns = "*";
            if (i < t.size() && t.get(i).isPunct('(')) {
                int close = matching(t, i);
                if (close < 0) {
                    return null;
                }
                columns = sql.substring(t.get(i).end(), t.get(close).start());
                i = close + 1;
            }
            // COPY table TO copies the table's own rows (as SELECT … FROM ONLY); their columns are the same.
            describe = "SELECT " + columns + " FROM " + table;
        }
        if (i + 1 >= t.size() || !t.get(i).is("TO") || !t.get(i + 1).is("STDOUT")) {
            return null;
        }
        Options options = new Options(binary);
        String problem = options.read(t, i + 2);
        if (problem == null && options.binary) {
            problem = "binary COPY has no textual rows Veil can mask; use FORMAT text or csv";
        }
        return new PgCopyStatement(describe, problem == null ? options.format() : null, problem);
    }

    private static int matching(List<Token> t, int open) {
        int depth = 0;
        for (int j = open; j < t.size(); j++) {
            if (t.get(j).isPunct('(')) {
                depth++;
            } else if (t.get(j).isPunct(')') && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    /** The options after TO STDOUT, in either syntax. */
    private static final class Options {
        private static final String[] LEGACY_WORDS = {"BINARY", "DELIMITER", "NULL", "CSV", "HEADER", "QUOTE", "ESCAPE",
            "FORCE"};
        boolean binary;
        boolean csv;
        Byte delimiter;
        String nullMarker;
        Byte quote;
        Byte escape;
        boolean header;

        Options(boolean binary) {
            this.binary = binary;
        }

        /** Reads the options from {@code t[i]} on; the problem, or null. */
        String read(List<Token> t, int i) {
            if (i < t.size() && t.get(i).is("WITH")) {
                i++;
            }
            if (i < t.size() && t.get(i).isPunct('(')) {
                return list(t, i + 1);
            }
            return legacy(t, i);
        }

        /** {@code (name [value], …)}: PostgreSQL 9.0's option list. */
        private String list(List<Token> t, int i) {
            while (i < t.size()) {
                Token name = t.get(i++);
                if (name.isPunct(')')) {
                    return end(t, i);
                }
                if (name.isPunct(',')) {
                    continue;
                }
                int valueStart = i;
                int depth = 0;
                while (i < t.size() && (depth > 0 || !(t.get(i).isPunct(',') || t.get(i).isPunct(')')))) {
                    depth += t.get(i).isPunct('(') ? 1 : t.get(i).isPunct(')') ? -1 : 0;
                    i++;
                }
                Token value = i > valueStart ? t.get(valueStart) : null;
                String problem = option(name.text().toLowerCase(Locale.ROOT), value);
                if (problem != null) {
                    return problem;
                }
            }
            return "the COPY option list is not closed";
        }

        private String option(String name, Token value) {
            String word = value == null ? null : value.value() != null ? value.value() : value.text();
            switch (name) {
                case "format" -> {
                    String f = word == null ? "" : word.toLowerCase(Locale.ROOT);
                    binary = f.equals("binary");
                    csv = f.equals("csv");
                    return binary || csv || f.equals("text") ? null : "COPY format " + word + " is not one Veil reads";
                }
                case "delimiter" -> {
                    return (delimiter = single(value)) == null ? "the COPY delimiter is not one byte" : null;
                }
                case "null" -> {
                    nullMarker = value == null ? null : value.value();
                    return nullMarker == null ? "the COPY NULL option has no string" : null;
                }
                case "quote" -> {
                    return (quote = single(value)) == null ? "the COPY quote is not one byte" : null;
                }
                case "escape" -> {
                    return (escape = single(value)) == null ? "the COPY escape is not one byte" : null;
                }
                case "header" -> {
                    String h = word == null ? "true" : word.toLowerCase(Locale.ROOT);
                    header = h.equals("true") || h.equals("on") || h.equals("1");
                    return header || h.equals("false") || h.equals("off") || h.equals("0") ? null
                            : "COPY HEADER " + word + " is not one Veil reads";
                }
                case "encoding" -> {
                    String e = word == null ? "" : word.toUpperCase(Locale.ROOT).replace("-", "");
                    return e.equals("UTF8") ? null : "Veil masks COPY data in UTF-8 only (ENCODING " + word + ")";
                }
                case "force_quote", "force_not_null", "force_null", "freeze", "oids" -> {
                    return null; // FORCE_QUOTE shows in the quotes Veil keeps; the others do not change COPY TO's bytes
                }
                default -> {
                    return "COPY option " + name + " is not one Veil reads";
                }
            }
        }

        /** {@code BINARY | DELIMITER [AS] 'd' | NULL [AS] 'n' | CSV | HEADER | QUOTE [AS] 'q' | ESCAPE [AS] 'e' | FORCE QUOTE …}. */
        private String legacy(List<Token> t, int i) {
            while (i < t.size()) {
                Token w = t.get(i++);
                if (w.isPunct(';')) {
                    return end(t, i);
                }
                if (w.isAny("DELIMITER", "NULL", "QUOTE", "ESCAPE")) {
                    if (i < t.size() && t.get(i).is("AS")) {
                        i++;
                    }
                    String problem = option(w.text().toLowerCase(Locale.ROOT), i < t.size() ? t.get(i++) : null);
                    if (problem != null) {
                        return problem;
                    }
                } else if (w.is("BINARY")) {
                    binary = true;
                } else if (w.is("CSV")) {
                    csv = true;
                } else if (w.is("HEADER")) {
                    header = true;
                } else if (w.is("FORCE")) {
                    // FORCE QUOTE col, … | * (and FORCE NOT NULL, a COPY FROM option): the names that follow
                    i += i < t.size() && t.get(i).is("NOT") ? 2 : 1;
                    while (i < t.size() && (t.get(i).isPunct(',') || t.get(i).isOperator("*")
                            || t.get(i).isName() && !t.get(i).isAny(LEGACY_WORDS))) {
                        i++;
                    }
                } else {
                    return "COPY option " + w.text() + " is not one Veil reads";
                }
            }
            return null;
        }

        private static String end(List<Token> t, int i) {
            while (i < t.size() && t.get(i).isPunct(';')) {
                i++;
            }
            return i == t.size() ? null : "more follows the COPY statement";
        }

        private static Byte single(Token value) {
            if (value == null || value.kind() != TokenKind.STRING || value.value() == null) {
                return null;
            }
            byte[] b = value.value().getBytes(StandardCharsets.UTF_8);
            return b.length == 1 ? b[0] : null;
        }

        CopyFormat format() {
            CopyFormat f = csv ? CopyFormat.CSV : CopyFormat.TEXT;
            if (delimiter != null) {
                f = f.withDelimiter(delimiter);
            }
            if (nullMarker != null) {
                f = f.withNull(nullMarker);
            }
            if (quote != null) {
                f = f.withQuote(quote).withEscape(quote); // CSV's escape defaults to its quote
            }
            if (escape != null) {
                f = f.withEscape(escape);
            }
            return f.withHeader(header);
        }
    }
}
