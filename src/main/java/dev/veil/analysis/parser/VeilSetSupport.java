package dev.veil.analysis.parser;

import dev.veil.analysis.StatementKind;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** How SET, SHOW and the other utility statements are classified, from their words. */
final class VeilSetSupport {
    /** SET forms that take no value expression and are read word by word. */
    private static final Set<String> SPECIAL = Set.of("ROLE", "AUTHORIZATION", "PASSWORD", "TRANSACTION",
            "CHARACTERISTICS", "CONSTRAINTS", "NAMES", "CHARACTER", "CHARSET", "TIME", "DEFAULT");
    /** MySQL SHOW forms that describe the session or server rather than stored objects. */
    private static final Set<String> SESSION_SHOWS = Set.of("VARIABLES", "STATUS", "WARNINGS", "ERRORS", "ENGINES",
            "CHARACTER", "COLLATION", "PROCESSLIST", "PROFILES", "PROFILE", "PLUGINS", "PRIVILEGES", "MASTER", "SLAVE",
            "REPLICA", "BINARY", "ENGINE", "GRANTS", "COUNT(*)");

    private VeilSetSupport() {
    }

    static boolean isSpecial(VeilSqlParserImpl parser) {
        for (int i = 1; i <= 2; i++) {
            String w = parser.getToken(i).image.toUpperCase(Locale.ROOT);
            if (SPECIAL.contains(w)) {
                return true;
            }
            if (!(w.equals("SESSION") || w.equals("LOCAL") || w.equals("GLOBAL"))) {
                return false;
            }
        }
        return false;
    }

    static StatementKind specialKind(VeilSqlParserImpl parser) {
        for (int i = 1; i <= 3; i++) {
            switch (parser.getToken(i).image.toUpperCase(Locale.ROOT)) {
                case "ROLE", "AUTHORIZATION", "PASSWORD", "DEFAULT":
                    return StatementKind.PRIVILEGE;
                case "TRANSACTION", "CHARACTERISTICS", "CONSTRAINTS":
                    return StatementKind.TRANSACTION_CONTROL;
                default:
                    break;
            }
        }
        return StatementKind.SESSION;
    }

    /**
     * A SET whose target is server-wide (GLOBAL / PERSIST, {@code @@global.x}) or switches off the binary log
     * changes the server for everyone: PRIVILEGE. {@code first} is the SET token, {@code last} the statement's last.
     */
    static StatementKind assignmentKind(Token first, Token last, StatementKind kind) {
        // Only the targets count: a value may read a global (MariaDB Connector/J's connection SET appends to
        // @@global.session_track_system_variables), which changes nothing server-wide.
        boolean target = false;
        int depth = 0;
        for (Token t = first; t != null; t = t == last ? null : t.next) {
            String w = t.image.toUpperCase(Locale.ROOT);
            if (t.kind == VeilSqlParserImplConstants.LPAREN) {
                depth++;
            } else if (t.kind == VeilSqlParserImplConstants.RPAREN) {
                depth--;
            }
            if (t == first || depth == 0 && t.kind == VeilSqlParserImplConstants.COMMA) {
                target = true;
                continue;
            }
            if (target && (w.equals("GLOBAL") || w.equals("PERSIST") || w.equals("PERSIST_ONLY") || w.startsWith("@@GLOBAL.")
                    || w.startsWith("@@PERSIST") || w.equals("SQL_LOG_BIN") || w.equals("@@SQL_LOG_BIN")
                    || w.equals("@@SESSION.SQL_LOG_BIN"))) {
                return StatementKind.PRIVILEGE;
            }
            // SESSION / LOCAL may precede the variable's name
            target = target && (w.equals("SESSION") || w.equals("LOCAL"));
        }
        return kind;
    }

    /**
     * PostgreSQL's SHOW only shows settings; MySQL's SHOW TABLES / COLUMNS / CREATE TABLE / INDEX describe stored
     * objects and count as reads. Everything else here changes or shows session state.
     */
    static StatementKind utilityKind(List<String> words) {
        if (words.get(0).equals("RESET") && words.size() > 1 && Set.of("ROLE", "SESSION", "MASTER", "SLAVE",
                "REPLICA", "BINARY", "PERSIST").contains(words.get(1))) {
            // RESET ROLE / SESSION AUTHORIZATION change identity; RESET MASTER / REPLICA drop replication state.
            return StatementKind.PRIVILEGE;
        }
        String second = words.size() > 1 ? words.get(1) : "";
        switch (words.get(0)) {
            case "KILL", "PURGE", "REASSIGN", "STOP":
                return StatementKind.PRIVILEGE;
            case "FLUSH":
                return second.equals("PRIVILEGES") ? StatementKind.PRIVILEGE : StatementKind.SESSION;
            case "OPTIMIZE", "REPAIR":
                return StatementKind.DDL;
            case "REFRESH":
                return StatementKind.WRITE;
            case "INSTALL", "UNINSTALL", "DO", "EXECUTE":
                return StatementKind.PROCEDURAL;
            case "XA":
                return StatementKind.TRANSACTION_CONTROL;
            case "FETCH", "MOVE", "HANDLER", "HELP":
                return StatementKind.READ;
            case "LOAD":
                return second.equals("INDEX") ? StatementKind.SESSION : StatementKind.WRITE;
            default:
                break;
        }
        if (!words.get(0).equals("SHOW") || words.size() < 2) {
            return StatementKind.SESSION;
        }
        for (String w : words.subList(1, Math.min(3, words.size()))) {
            if (SESSION_SHOWS.contains(w)) {
                return StatementKind.SESSION;
            }
            if (Set.of("TABLES", "COLUMNS", "FIELDS", "CREATE", "INDEX", "INDEXES", "KEYS", "DATABASES", "SCHEMAS",
                    "TABLE", "TRIGGERS", "EVENTS", "FUNCTION", "PROCEDURE").contains(w)) {
                return StatementKind.READ;
            }
        }
        return StatementKind.SESSION;
    }
}
