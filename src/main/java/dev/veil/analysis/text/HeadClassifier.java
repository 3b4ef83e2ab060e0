package dev.veil.analysis.text;

import dev.veil.analysis.StatementKind;

import java.util.Locale;
import java.util.Set;

/**
 * The kind a statement has by its leading keywords. Where the keywords leave a choice, the more dangerous kind
 * wins (see {@link DangerOrder}); the sweeps in {@link ConservativeScan} can only raise the result further.
 */
final class HeadClassifier {
    private static final Set<String> OBJECT_WORDS = Set.of("TABLE", "VIEW", "INDEX", "SEQUENCE", "SCHEMA",
            "DATABASE", "FUNCTION", "PROCEDURE", "TRIGGER", "EVENT", "ROLE", "USER", "GROUP", "POLICY", "SYSTEM",
            "RULE", "LANGUAGE", "EXTENSION", "TYPE", "DOMAIN", "SERVER", "OWNED", "TABLESPACE", "COLLATION", "CAST",
            "CONVERSION", "AGGREGATE", "OPERATOR", "TEXT", "PUBLICATION", "SUBSCRIPTION", "STATISTICS", "ACCESS",
            "TRANSFORM", "INSTANCE", "LOGFILE", "RESOURCE", "DEFAULT", "PRIVILEGES", "ROUTINE", "MATERIALIZED");
    private static final Set<String> STATEMENT_HEADS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "WITH",
            "VALUES", "TABLE", "MERGE", "REPLACE", "DECLARE", "CREATE", "EXECUTE", "COPY");

    private final CodeView v;
    private final Set<ScanFlag> flags;

    HeadClassifier(CodeView v, Set<ScanFlag> flags) {
        this.v = v;
        this.flags = flags;
    }

    StatementKind classify(int h) {
        while (v.punct(h, '(')) {
            h++;
        }
        Token t = v.at(h);
        if (t == null) {
            flags.add(ScanFlag.UNRECOGNIZED);
            return StatementKind.UNKNOWN;
        }
        if (t.isName() && v.punct(h + 1, ':') && !v.pg) {
            flags.add(ScanFlag.COMPOUND_BODY);
            return StatementKind.PROCEDURAL; // label: BEGIN … END
        }
        switch (v.upper(h)) {
            case "SELECT":
            case "VALUES":
            case "TABLE":
                return StatementKind.READ;
            case "WITH":
                return with(h);
            case "INSERT":
            case "UPDATE":
            case "DELETE":
            case "MERGE":
            case "REPLACE":
            case "REFRESH":
                return StatementKind.WRITE;
            case "COPY":
                return copy(h);
            case "CREATE":
            case "ALTER":
            case "DROP":
                return definition(h);
            case "TRUNCATE":
            case "COMMENT":
            case "IMPORT":
            case "OPTIMIZE":
            case "REPAIR":
                return StatementKind.DDL;
            case "RENAME":
                return v.is(h + 1, "USER") ? StatementKind.PRIVILEGE : StatementKind.DDL;
            case "GRANT":
            case "REVOKE":
            case "REASSIGN":
            case "SECURITY":
            case "KILL":
            case "PURGE":
            case "CHANGE":
            case "STOP":
            case "CLONE":
                return StatementKind.PRIVILEGE;
            case "START":
                return v.is(h + 1, "TRANSACTION") ? StatementKind.TRANSACTION_CONTROL : StatementKind.PRIVILEGE;
            case "BEGIN":
                if (!v.pg && v.is(h + 1, "NOT")) {
                    flags.add(ScanFlag.COMPOUND_BODY);
                    return StatementKind.PROCEDURAL;
                }
                return StatementKind.TRANSACTION_CONTROL;
            case "COMMIT":
            case "ROLLBACK":
            case "SAVEPOINT":
            case "RELEASE":
            case "ABORT":
            case "END":
            case "XA":
                return StatementKind.TRANSACTION_CONTROL;
            case "SET":
                return v.pg ? pgSet(h) : mysqlSet(h);
            case "RESET":
                return reset(h);
            case "DISCARD":
                return v.is(h + 1, "ALL") ? StatementKind.PRIVILEGE : StatementKind.SESSION; // DISCARD ALL resets the role
            case "SHOW":
                return show(h);
            case "FLUSH":
                return v.is(h + 1, "PRIVILEGES") ? StatementKind.PRIVILEGE : StatementKind.SESSION;
            case "USE":
            case "LISTEN":
            case "UNLISTEN":
            case "NOTIFY":
            case "DEALLOCATE":
            case "CLOSE":
            case "VACUUM":
            case "ANALYZE":
            case "CLUSTER":
            case "REINDEX":
            case "CHECKPOINT":
            case "LOCK":
            case "UNLOCK":
            case "CACHE":
            case "CHECK":
            case "CHECKSUM":
            case "GET":
                return StatementKind.SESSION;
            case "FETCH":
            case "MOVE":
            case "HANDLER":
            case "HELP":
                return StatementKind.READ;
            case "DESCRIBE":
            case "DESC":
                return v.pg ? unrecognized() : explain(h);
            case "EXPLAIN":
                return explain(h);
            case "PREPARE":
                return prepare(h);
            case "EXECUTE":
            case "DO":
            case "CALL":
                flags.add(ScanFlag.DYNAMIC_SQL);
                return StatementKind.PROCEDURAL;
            case "DECLARE":
                return declare(h);
            case "LOAD":
                return load(h);
            case "INSTALL":
            case "UNINSTALL":
            case "SIGNAL":
            case "RESIGNAL":
                return StatementKind.PROCEDURAL;
            case "IF":
            case "WHILE":
            case "LOOP":
            case "REPEAT":
            case "CASE":
                flags.add(ScanFlag.COMPOUND_BODY);
                return StatementKind.PROCEDURAL;
            case "SHUTDOWN":
            case "RESTART":
            case "BINLOG":
                return StatementKind.UNKNOWN; // stops the server or replays raw row events
            default:
                return unrecognized();
        }
    }

    private StatementKind unrecognized() {
        flags.add(ScanFlag.UNRECOGNIZED);
        return StatementKind.UNKNOWN;
    }

    /** WITH …: the kind of the statement after the CTE list (nested writes are found by the sweep). */
    private StatementKind with(int h) {
        int main = v.withMainHead(h);
        return main < 0 ? unrecognized() : classify(main);
    }

    private StatementKind copy(int h) {
        for (int i = h + 1; i < v.size(); i++) {
            if (v.depth[i] != v.depth[h] || !v.isAny(i, "FROM", "TO")) {
                continue;
            }
            boolean from = v.is(i, "FROM");
            Token target = v.at(i + 1);
            if (v.is(i + 1, "PROGRAM")) {
                flags.add(ScanFlag.PROGRAM_EXECUTION);
                flags.add(ScanFlag.SERVER_FILE_ACCESS);
                return StatementKind.PROCEDURAL;
            }
            if (v.isAny(i + 1, "STDIN", "STDOUT")) {
                return from ? StatementKind.WRITE : StatementKind.READ;
            }
            if (target != null && target.kind() == TokenKind.STRING) {
                flags.add(ScanFlag.SERVER_FILE_ACCESS);
                return StatementKind.WRITE; // reads into a table, or writes a file on the server
            }
            return unrecognized();
        }
        return unrecognized();
    }

    private StatementKind definition(int h) {
        boolean create = v.is(h, "CREATE");
        for (int i = h + 1; i < v.size(); i++) {
            if (v.is(i, "OWNER") && v.is(i + 1, "TO")) {
                return StatementKind.PRIVILEGE;
            }
        }
        for (int i = h + 1; i < Math.min(v.size(), h + 24); i++) {
            String w = v.upper(i);
            if (!OBJECT_WORDS.contains(w)) {
                continue;
            }
            switch (w) {
                case "ROLE":
                case "USER":
                case "GROUP":
                case "POLICY":
                case "OWNED":
                case "PRIVILEGES":
                    return StatementKind.PRIVILEGE;
                case "DEFAULT":
                    if (v.is(i + 1, "PRIVILEGES")) {
                        return StatementKind.PRIVILEGE;
                    }
                    continue;
                case "SYSTEM":
                    flags.add(ScanFlag.GLOBAL_SETTING);
                    return StatementKind.PRIVILEGE;
                case "FUNCTION":
                case "PROCEDURE":
                case "TRIGGER":
                case "EVENT":
                case "RULE":
                case "LANGUAGE":
                case "AGGREGATE":
                case "ROUTINE":
                    return create ? StatementKind.PROCEDURAL : StatementKind.DDL;
                default:
                    return StatementKind.DDL;
            }
        }
        return StatementKind.DDL;
    }

    private StatementKind pgSet(int h) {
        int k = h + 1;
        if (v.is(k, "SESSION") && v.is(k + 1, "AUTHORIZATION")) {
            return StatementKind.PRIVILEGE;
        }
        if (v.is(k, "SESSION") && v.is(k + 1, "CHARACTERISTICS")) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        if (v.isAny(k, "SESSION", "LOCAL")) {
            k++;
        }
        if (v.isAny(k, "ROLE", "SESSION_AUTHORIZATION", "SESSION_REPLICATION_ROLE")) {
            return StatementKind.PRIVILEGE;
        }
        if (v.isAny(k, "TRANSACTION", "CONSTRAINTS")) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        flags.add(ScanFlag.SYSTEM_VARIABLE);
        return StatementKind.SESSION;
    }

    private StatementKind mysqlSet(int h) {
        StatementKind kind = StatementKind.SESSION;
        boolean onlyUserVariables = true;
        for (int i = h + 1; i < v.size(); i++) {
            if (v.depth[i] != v.depth[h]) {
                continue;
            }
            Token t = v.at(i);
            String lower = t.text().toLowerCase(Locale.ROOT);
            if (t.isAny("GLOBAL", "PERSIST", "PERSIST_ONLY") || (t.kind() == TokenKind.VARIABLE
                    && (lower.startsWith("@@global.") || lower.startsWith("@@persist")))) {
                flags.add(ScanFlag.GLOBAL_SETTING);
                return StatementKind.PRIVILEGE;
            }
            if (t.kind() == TokenKind.VARIABLE && lower.startsWith("@@")) {
                onlyUserVariables = false;
            }
        }
        int k = h + 1;
        if (v.isAny(k, "PASSWORD", "ROLE") || (v.is(k, "DEFAULT") && v.is(k + 1, "ROLE"))) {
            return StatementKind.PRIVILEGE;
        }
        if (v.isAny(k, "SESSION", "LOCAL")) {
            k++;
        }
        if (v.is(k, "TRANSACTION")) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        Token first = v.at(k);
        if (first != null && first.kind() == TokenKind.WORD) {
            onlyUserVariables = false;
            String name = v.upper(k);
            if (name.equals("SQL_LOG_BIN") || name.startsWith("PSEUDO_") || name.startsWith("GTID_")) {
                return StatementKind.PRIVILEGE;
            }
        }
        if (!onlyUserVariables) {
            flags.add(ScanFlag.SYSTEM_VARIABLE);
        }
        return kind;
    }

    private StatementKind reset(int h) {
        if (v.pg) {
            if (v.isAny(h + 1, "ROLE", "ALL", "SESSION_AUTHORIZATION", "SESSION_REPLICATION_ROLE")
                    || (v.is(h + 1, "SESSION") && v.is(h + 2, "AUTHORIZATION"))) {
                return StatementKind.PRIVILEGE;
            }
            flags.add(ScanFlag.SYSTEM_VARIABLE);
            return StatementKind.SESSION;
        }
        return v.is(h + 1, "QUERY") ? StatementKind.SESSION : StatementKind.PRIVILEGE;
    }

    private StatementKind show(int h) {
        if (v.pg) {
            flags.add(ScanFlag.SYSTEM_VARIABLE);
            return StatementKind.SESSION;
        }
        int k = h + 1;
        while (v.isAny(k, "FULL", "GLOBAL", "SESSION", "EXTENDED", "STORAGE")) {
            k++;
        }
        switch (v.upper(k)) {
            case "TABLES":
            case "COLUMNS":
            case "FIELDS":
            case "INDEX":
            case "INDEXES":
            case "KEYS":
            case "DATABASES":
            case "SCHEMAS":
            case "CREATE":
            case "TABLE":
            case "TRIGGERS":
            case "EVENTS":
            case "PROCEDURE":
            case "FUNCTION":
            case "OPEN":
            case "CHARACTER":
            case "CHARSET":
            case "COLLATION":
            case "ENGINES":
            case "PLUGINS":
            case "PRIVILEGES":
            case "GRANTS":
                return StatementKind.READ;
            case "VARIABLES":
            case "STATUS":
                flags.add(ScanFlag.SYSTEM_VARIABLE);
                return StatementKind.SESSION;
            default:
                return StatementKind.SESSION;
        }
    }

    /** EXPLAIN / DESCRIBE: only EXPLAIN ANALYZE executes the explained statement. */
    private StatementKind explain(int h) {
        int k = h + 1;
        boolean analyze = false;
        if (v.punct(k, '(')) {
            int end = v.afterGroup(k);
            for (int i = k + 1; i < end - 1; i++) {
                if (v.isAny(i, "ANALYZE", "ANALYSE") && !(v.isAny(i + 1, "FALSE", "OFF")
                        || (v.at(i + 1) != null && v.at(i + 1).text().equals("0")))) {
                    analyze = true;
                }
            }
            k = end;
        }
        while (k < v.size()) {
            if (v.isAny(k, "ANALYZE", "ANALYSE")) {
                analyze = true;
                k++;
            } else if (v.isAny(k, "VERBOSE", "EXTENDED", "PARTITIONS")) {
                k++;
            } else if (v.is(k, "FORMAT") && v.at(k + 1) != null && v.at(k + 1).isOperator("=")) {
                k += 3;
            } else {
                break;
            }
        }
        if (analyze) {
            flags.add(ScanFlag.EXPLAIN_ANALYZE);
        }
        String head = v.upper(k);
        if (!STATEMENT_HEADS.contains(head) && !v.punct(k, '(')) {
            return StatementKind.READ; // EXPLAIN tbl / DESCRIBE tbl / EXPLAIN FOR CONNECTION n
        }
        StatementKind inner = classify(k);
        return analyze ? DangerOrder.max(StatementKind.READ, inner) : StatementKind.READ;
    }

    private StatementKind prepare(int h) {
        flags.add(ScanFlag.DYNAMIC_SQL);
        if (!v.pg) {
            return StatementKind.PROCEDURAL; // PREPARE s FROM 'text' | @var: the text is not visible here
        }
        if (v.is(h + 1, "TRANSACTION")) {
            flags.remove(ScanFlag.DYNAMIC_SQL);
            return StatementKind.TRANSACTION_CONTROL;
        }
        for (int i = h + 1; i < v.size(); i++) {
            if (v.depth[i] == v.depth[h] && v.is(i, "AS")) {
                return DangerOrder.max(StatementKind.SESSION, classify(i + 1));
            }
        }
        return unrecognized();
    }

    private StatementKind declare(int h) {
        if (!v.pg) {
            flags.add(ScanFlag.COMPOUND_BODY);
            return StatementKind.PROCEDURAL;
        }
        for (int i = h + 1; i < v.size(); i++) {
            if (v.depth[i] == v.depth[h] && v.is(i, "FOR")) {
                return DangerOrder.max(StatementKind.READ, classify(i + 1));
            }
        }
        return unrecognized();
    }

    private StatementKind load(int h) {
        if (v.pg) {
            flags.add(ScanFlag.SERVER_FILE_ACCESS);
            return StatementKind.PROCEDURAL; // LOAD 'library' runs its initialiser in the server
        }
        if (v.isAny(h + 1, "DATA", "XML")) {
            flags.add(ScanFlag.LOAD_DATA);
            boolean local = false;
            for (int i = h + 2; i < Math.min(v.size(), h + 5); i++) {
                local |= v.is(i, "LOCAL");
            }
            flags.add(local ? ScanFlag.LOAD_DATA_LOCAL : ScanFlag.SERVER_FILE_ACCESS);
            return StatementKind.WRITE;
        }
        return StatementKind.SESSION; // LOAD INDEX INTO CACHE
    }
}
