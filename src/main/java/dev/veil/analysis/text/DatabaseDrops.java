package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The databases a text drops or renames, so the gateway can let go of its own connections to them first:
 * PostgreSQL refuses {@code DROP DATABASE} and {@code ALTER DATABASE … RENAME} while other sessions are
 * connected to the database, and Veil's idle pooled connections are such sessions. Recognised, in each
 * statement of the text: {@code DROP DATABASE [IF EXISTS] name [[WITH] (FORCE)]} on both wires, MySQL's
 * synonym {@code DROP SCHEMA}, and PostgreSQL's {@code ALTER DATABASE name RENAME TO …} (a PostgreSQL schema is
 * not a database). Names are as the server reads them: PostgreSQL folds unquoted names to lower case.
 *
 * <p>It reads the tokens of {@link SqlTokenizer}, so quoted strings and comments hide what the server would
 * not run. A miss costs only the server's own refusal; a false match costs only reconnects.
 */
public final class DatabaseDrops {
    private DatabaseDrops() {
    }

    /** Whether the text can name a database drop at all: a cheap test before tokenizing. */
    public static boolean mayDrop(String sql) {
        return containsIgnoreCase(sql, "database") || containsIgnoreCase(sql, "schema");
    }

    public static List<String> named(LexicalSettings settings, String sql) {
        List<String> names = new ArrayList<>();
        if (!mayDrop(sql)) {
            return names;
        }
        List<Token> code = new SqlTokenizer(settings).tokenize(sql).code();
        int from = 0;
        for (int i = 0; i <= code.size(); i++) {
            if (i == code.size() || code.get(i).isPunct(';')) {
                String name = target(settings.postgres(), code.subList(from, i));
                if (name != null) {
                    names.add(name);
                }
                from = i + 1;
            }
        }
        return names;
    }

    /** The database one statement drops or renames, or null. */
    private static String target(boolean postgres, List<Token> t) {
        if (t.size() < 3) {
            return null;
        }
        int at;
        if (t.get(0).is("DROP") && (t.get(1).is("DATABASE") || !postgres && t.get(1).is("SCHEMA"))) {
            at = t.size() > 4 && t.get(2).is("IF") && t.get(3).is("EXISTS") ? 4 : 2;
        } else if (postgres && t.get(0).is("ALTER") && t.get(1).is("DATABASE") && t.size() > 4
                && t.get(3).is("RENAME") && t.get(4).is("TO")) {
            at = 2;
        } else {
            return null;
        }
        return at < t.size() ? name(postgres, t.get(at)) : null;
    }

    private static String name(boolean postgres, Token t) {
        return switch (t.kind()) {
            case WORD -> postgres ? t.text().toLowerCase(Locale.ROOT) : t.text();
            case QUOTED_IDENTIFIER -> t.value();
            // MySQL under ANSI_QUOTES reads "x" as a name; read without that mode it is a string token.
            case STRING -> postgres ? null : t.value();
            default -> null;
        };
    }

    private static boolean containsIgnoreCase(String text, String word) {
        int n = word.length();
        for (int i = 0; i + n <= text.length(); i++) {
            if (text.regionMatches(true, i, word, 0, n)) {
                return true;
            }
        }
        return false;
    }
}
