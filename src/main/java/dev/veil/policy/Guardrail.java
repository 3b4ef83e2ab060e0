package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Effects;
import dev.veil.analysis.RelationAccess;
import dev.veil.analysis.StatementKind;

import java.util.List;
import java.util.Set;

/**
 * Veil's built-in guardrails: checks a policy file enables by name in its {@code guardrails} section (see
 * docs/policy.md), scoped to roles and conditions there. Each reads what the analysis found the statement does
 * (its kind, the command's words, its {@link Effects}), never the text, and answers what it found wrong in one
 * sentence that says what to do, or null. A multi-statement text is checked statement by statement
 * ({@link ConfiguredGuardrail}).
 */
enum Guardrail {
    /** Fail closed: what Veil could not analyse, no other guardrail can judge. */
    UNANALYSED("unanalysed") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            if (a.analysed()) {
                return null;
            }
            return "Veil could not analyse this statement (" + a.failure().orElse("") + "), and what Veil cannot "
                    + "analyse is refused for roles under guardrails (fail closed); send it as plain statements Veil "
                    + "understands, or ask an administrator";
        }
    },
    DESTRUCTIVE_DDL("destructive-ddl") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            if (environment.protection().compareTo(minimum) < 0 || a.kind() != StatementKind.DDL
                    && a.kind() != StatementKind.UNKNOWN && a.kind() != StatementKind.PROCEDURAL) {
                return null;
            }
            List<String> words = a.effects().command();
            boolean destructive = !words.isEmpty() && Set.of("DROP", "TRUNCATE", "ALTER", "RENAME").contains(words.get(0))
                    || a.relations().stream().anyMatch(r -> r.action() == RelationAccess.Action.DROP
                    || r.action() == RelationAccess.Action.TRUNCATE || r.action() == RelationAccess.Action.ALTER);
            if (!destructive) {
                return null;
            }
            return verbAndObject(words) + on(a) + " drops, empties or changes a schema object in environment "
                    + environment.name() + " (protection " + environment.protection().label()
                    + "); run it through your migration process or ask for approval";
        }
    },
    DELETE_WITHOUT_WHERE("delete-without-where") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            return unfiltered(a, RelationAccess.Action.DELETE, "DELETE");
        }
    },
    UPDATE_WITHOUT_WHERE("update-without-where") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            return unfiltered(a, RelationAccess.Action.UPDATE, "UPDATE");
        }
    },
    DYNAMIC_SQL("dynamic-sql") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            List<String> words = a.effects().command();
            boolean dynamic = a.kind() == StatementKind.PROCEDURAL
                    || !words.isEmpty() && Set.of("DO", "EXECUTE", "CALL").contains(words.get(0));
            if (!dynamic) {
                return null;
            }
            String what = words.isEmpty() ? "this statement" : head(words, words.get(0).equals("CREATE") ? 4 : 1);
            return what + " runs procedural or dynamic SQL (DO blocks, EXECUTE, PREPARE … FROM, CALL, function and "
                    + "trigger definitions, functions that run query text) whose statements Veil does not see before "
                    + "they run; send the statements themselves, or ask an administrator";
        }
    },
    SERVER_FILES("server-files") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            Effects e = a.effects();
            if (e.flags().contains(Effects.Flag.SERVER_PROGRAM)) {
                return "COPY … PROGRAM runs a program on the database server; copy to or from the client (STDIN / "
                        + "STDOUT) instead";
            }
            if (e.flags().contains(Effects.Flag.SERVER_FILE)) {
                return head(e.command(), 2) + " reads or writes a file on the database server; exchange the data "
                        + "with the client (COPY … STDIN / STDOUT, plain INSERT and SELECT) instead";
            }
            for (String f : e.functions()) {
                if (FILE_FUNCTIONS.contains(f)) {
                    return "function " + f + " reaches files, large objects or other servers from the database "
                            + "server; read and write data through the client instead, or ask an administrator";
                }
            }
            return null;
        }
    },
    PRIVILEGE_CHANGES("privilege-changes") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            if (a.kind() != StatementKind.PRIVILEGE) {
                return null;
            }
            return head(a.effects().command(), 3) + " changes privileges, roles, users or the identity the session "
                    + "runs as (GRANT, REVOKE, CREATE / ALTER ROLE or USER, SET ROLE, SET SESSION AUTHORIZATION); "
                    + "ask an administrator";
        }
    },
    TRANSACTION_MODE("transaction-mode") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            List<String> words = a.effects().command();
            if (!words.isEmpty() && words.get(0).equals("SHOW")) {
                return null; // SHOW transaction_read_only only reads the setting
            }
            boolean escape = a.effects().functions().contains("set_config");
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                escape |= w.contains("READ_ONLY") || w.equals("READ") && i + 1 < words.size() && words.get(i + 1).equals("WRITE")
                        || i > 0 && words.get(0).equals("RESET") && w.equals("ALL");
            }
            if (!escape) {
                return null;
            }
            return (words.isEmpty() ? "set_config" : head(words, 3)) + " could make the transaction read-write "
                    + "(SET TRANSACTION READ WRITE, default_transaction_read_only, transaction_read_only, tx_read_only); "
                    + "this role's transactions stay read-only";
        }
    },
    /**
     * Nothing to find before the statement runs: the rows an UPDATE / DELETE touches are counted as it runs
     * ({@link RowCeiling}); {@link ConfiguredGuardrail#ceiling} says which statements it applies to.
     */
    AFFECTED_ROWS_CEILING("affected-rows-ceiling") {
        @Override
        String check(Analysis a, Environment environment, Environment.Protection minimum) {
            return null;
        }
    };

    /** Functions that reach files, large objects, programs or other servers from the database server. */
    static final Set<String> FILE_FUNCTIONS = Set.of("pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file",
            "pg_ls_logdir", "pg_ls_waldir", "pg_ls_tmpdir", "pg_ls_archive_statusdir", "pg_file_write", "pg_file_rename",
            "pg_file_unlink", "pg_logdir_ls", "lo_import", "lo_export", "dblink", "dblink_exec", "dblink_connect",
            "dblink_connect_u", "dblink_send_query", "dblink_open", "load_file", "sys_exec", "sys_eval");

    private final String label;

    Guardrail(String label) {
        this.label = label;
    }

    /** The name a policy file enables it by. */
    String label() {
        return label;
    }

    static Guardrail named(String label) {
        for (Guardrail g : values()) {
            if (g.label.equals(label)) {
                return g;
            }
        }
        return null;
    }

    static String labels() {
        StringBuilder out = new StringBuilder();
        for (Guardrail g : values()) {
            out.append(out.length() == 0 ? "" : ", ").append(g.label);
        }
        return out.toString();
    }

    /** What is wrong with one analysed statement, or null; {@code minimum} is the protection it starts at. */
    abstract String check(Analysis a, Environment environment, Environment.Protection minimum);

    private static String unfiltered(Analysis a, RelationAccess.Action action, String verb) {
        for (Effects.RowFilter f : a.effects().rowFilters()) {
            if (f.action() != action || !f.filter().unfiltered()) {
                continue;
            }
            String on = verb + " on " + f.relation();
            return switch (f.filter()) {
                case NONE -> on + " has no WHERE clause; add one or ask for approval";
                case ALWAYS_TRUE -> on + " has a WHERE clause that keeps every row (it is always true, or does not read "
                        + "the row at all); give it a condition on the rows or ask for approval";
                default -> on + " has a WHERE clause that only leaves out NULLs (x = x means x IS NOT NULL), so it "
                        + "reaches every row with values; give it a real condition on the rows or ask for approval";
            };
        }
        return null;
    }

    /** Whether the statement updates or deletes rows of a table (UPDATE, DELETE, MERGE, anywhere in it). */
    static boolean changesRows(Analysis a) {
        for (Effects.RowFilter f : a.effects().rowFilters()) {
            if (f.action() == RelationAccess.Action.UPDATE || f.action() == RelationAccess.Action.DELETE) {
                return true;
            }
        }
        return false;
    }

    /** The command's first words, as a name for it in messages. */
    /** What a schema statement does, in its own words: DROP TABLE, TRUNCATE (MySQL: {@code TRUNCATE orders}), ALTER VIEW. */
    private static String verbAndObject(List<String> words) {
        return words.size() > 1 && OBJECT_WORDS.contains(words.get(1)) ? head(words, 2) : head(words, 1);
    }

    private static final Set<String> OBJECT_WORDS = Set.of("TABLE", "VIEW", "MATERIALIZED", "INDEX", "SCHEMA",
            "DATABASE", "SEQUENCE", "FUNCTION", "PROCEDURE", "TRIGGER", "TYPE", "DOMAIN", "EXTENSION", "EVENT",
            "COLUMN", "CONSTRAINT", "POLICY", "RULE", "SERVER", "TABLESPACE", "PUBLICATION", "SUBSCRIPTION",
            "AGGREGATE", "OPERATOR", "COLLATION", "LANGUAGE", "FOREIGN", "TEMPORARY", "TEMP", "UNLOGGED", "ONLY");

    private static String head(List<String> words, int n) {
        return words.isEmpty() ? "this statement" : String.join(" ", words.subList(0, Math.min(n, words.size())));
    }

    private static String on(Analysis a) {
        return a.relations().stream().filter(r -> r.action() != RelationAccess.Action.READ).findFirst()
                .map(r -> " on " + r.qualified())
                .orElse("");
    }
}
