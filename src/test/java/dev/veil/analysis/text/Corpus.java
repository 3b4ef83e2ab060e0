package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.StatementKind;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hand-written statement corpus under {@code src/test/resources/analysis/corpus/}: one file per dialect,
 * one statement per line as {@code category<TAB>expected_kind<TAB>sql}, with {@code \n}, {@code \t} and
 * {@code \\} escapes in the SQL. Reusable by any analysis test: {@code Corpus.load(Dialect.MYSQL)}.
 */
public final class Corpus {

    /** One corpus statement; {@code line} is its 1-based line in the file, for error messages. */
    public record Entry(Dialect dialect, int line, String category, StatementKind expectedKind, String sql) {
        @Override
        public String toString() {
            return dialect + ":" + line + " [" + category + "] " + sql;
        }
    }

    private Corpus() {
    }

    public static String resource(Dialect dialect) {
        return "/analysis/corpus/" + dialect.name().toLowerCase(Locale.ROOT) + ".tsv";
    }

    public static List<Entry> load(Dialect dialect) {
        try (InputStream in = Corpus.class.getResourceAsStream(resource(dialect))) {
            if (in == null) {
                throw new IllegalStateException("corpus not found: " + resource(dialect));
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Entry> entries = new ArrayList<>();
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                entries.add(parse(dialect, number, line));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Entry parse(Dialect dialect, int number, String line) {
        String[] fields = line.split("\t", 3);
        if (fields.length != 3 || fields[0].isBlank() || fields[2].isBlank()) {
            throw new IllegalArgumentException(dialect + " corpus line " + number + " is not category<TAB>kind<TAB>sql");
        }
        StatementKind kind;
        try {
            kind = StatementKind.valueOf(fields[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dialect + " corpus line " + number + ": unknown kind " + fields[1], e);
        }
        return new Entry(dialect, number, fields[0], kind, unescape(fields[2]));
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n':
                        out.append('\n');
                        break;
                    case 't':
                        out.append('\t');
                        break;
                    case '\\':
                        out.append('\\');
                        break;
                    default:
                        throw new IllegalArgumentException("unknown escape \\" + n + " in: " + s);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
