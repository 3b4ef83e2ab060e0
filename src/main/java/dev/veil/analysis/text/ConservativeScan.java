package dev.veil.analysis.text;

import dev.veil.analysis.StatementKind;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Classifies statements from tokens alone, for every statement the full analysis cannot handle. It must never
 * report less danger than the statement carries: the kind only ever moves up {@link DangerOrder}
 * (a malformed or uncertain text is UNKNOWN; a write anywhere, even in a CTE or under EXPLAIN ANALYZE, makes the
 * statement WRITE; a stored-program body makes it PROCEDURAL). It reads a MySQL versioned comment's code even
 * though a server older than the comment's version would skip it.
 *
 * <p>What tokens cannot show: what a user-defined function, a view's trigger or a rule does, and what text a
 * PREPARE/EXECUTE runs; those are flagged (DYNAMIC_SQL) or out of reach, as they are for the full analysis.
 */
public final class ConservativeScan {
    private static final Set<String> NESTED_HEADS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE",
            "REPLACE", "VALUES", "TABLE", "WITH");
    private static final Set<String> WRITE_HEADS = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE");
    private static final Set<String> BODY_STATEMENT_STARTS = Set.of("BEGIN", "THEN", "ELSE", "DO", "LOOP",
            "REPEAT", "ROW", "ATOMIC");

    /**
     * Functions with effects outside the query, and the least kind a statement calling them has: session state
     * (settings, advisory locks, notifications), sequences, and PROCEDURAL for server files, programs, query
     * text and backend control.
     */
    private static final Map<String, StatementKind> FUNCTIONS = Map.ofEntries(
            Map.entry("set_config", StatementKind.SESSION),
            Map.entry("pg_notify", StatementKind.SESSION),
            Map.entry("nextval", StatementKind.WRITE),
            Map.entry("pg_advisory_lock", StatementKind.SESSION),
            Map.entry("pg_advisory_lock_shared", StatementKind.SESSION),
            Map.entry("pg_advisory_xact_lock", StatementKind.SESSION),
            Map.entry("pg_advisory_xact_lock_shared", StatementKind.SESSION),
            Map.entry("pg_try_advisory_lock", StatementKind.SESSION),
            Map.entry("pg_try_advisory_lock_shared", StatementKind.SESSION),
            Map.entry("pg_try_advisory_xact_lock", StatementKind.SESSION),
            Map.entry("pg_try_advisory_xact_lock_shared", StatementKind.SESSION),
            Map.entry("pg_advisory_unlock", StatementKind.SESSION),
            Map.entry("pg_advisory_unlock_shared", StatementKind.SESSION),
            Map.entry("pg_advisory_unlock_all", StatementKind.SESSION),
            Map.entry("get_lock", StatementKind.SESSION),
            Map.entry("release_lock", StatementKind.SESSION),
            Map.entry("release_all_locks", StatementKind.SESSION),
            Map.entry("setval", StatementKind.WRITE),
            Map.entry("pg_read_file", StatementKind.PROCEDURAL),
            Map.entry("pg_read_binary_file", StatementKind.PROCEDURAL),
            Map.entry("pg_ls_dir", StatementKind.PROCEDURAL),
            Map.entry("pg_stat_file", StatementKind.PROCEDURAL),
            Map.entry("pg_file_write", StatementKind.PROCEDURAL),
            Map.entry("lo_import", StatementKind.PROCEDURAL),
            Map.entry("lo_export", StatementKind.PROCEDURAL),
            Map.entry("load_file", StatementKind.PROCEDURAL),
            Map.entry("sys_exec", StatementKind.PROCEDURAL),
            Map.entry("sys_eval", StatementKind.PROCEDURAL),
            Map.entry("dblink", StatementKind.PROCEDURAL),
            Map.entry("dblink_exec", StatementKind.PROCEDURAL),
            Map.entry("dblink_connect", StatementKind.PROCEDURAL),
            Map.entry("dblink_send_query", StatementKind.PROCEDURAL),
            Map.entry("query_to_xml", StatementKind.PROCEDURAL),
            Map.entry("query_to_xml_and_xmlschema", StatementKind.PROCEDURAL),
            Map.entry("cursor_to_xml", StatementKind.PROCEDURAL),
            Map.entry("table_to_xml", StatementKind.PROCEDURAL),
            Map.entry("table_to_xml_and_xmlschema", StatementKind.PROCEDURAL),
            Map.entry("schema_to_xml", StatementKind.PROCEDURAL),
            Map.entry("database_to_xml", StatementKind.PROCEDURAL),
            Map.entry("pg_terminate_backend", StatementKind.PROCEDURAL),
            Map.entry("pg_cancel_backend", StatementKind.PROCEDURAL),
            Map.entry("pg_reload_conf", StatementKind.PROCEDURAL),
            Map.entry("pg_rotate_logfile", StatementKind.PROCEDURAL),
            Map.entry("pg_promote", StatementKind.PROCEDURAL),
            Map.entry("pg_switch_wal", StatementKind.PROCEDURAL),
            Map.entry("pg_create_restore_point", StatementKind.PROCEDURAL),
            Map.entry("pg_drop_replication_slot", StatementKind.PROCEDURAL),
            Map.entry("pg_create_logical_replication_slot", StatementKind.PROCEDURAL),
            Map.entry("pg_create_physical_replication_slot", StatementKind.PROCEDURAL));
    private static final Set<String> FILE_FUNCTIONS = Set.of("pg_read_file", "pg_read_binary_file", "pg_ls_dir",
            "pg_stat_file", "pg_file_write", "lo_import", "lo_export", "load_file");
    private static final Set<String> QUERY_TEXT_FUNCTIONS = Set.of("dblink", "dblink_exec", "dblink_send_query",
            "query_to_xml", "query_to_xml_and_xmlschema", "cursor_to_xml");

    private ConservativeScan() {
    }

    /** Scans a whole text: several statements combine to the most dangerous kind plus MULTIPLE_STATEMENTS. */
    public static ScanResult scan(Tokens tokens) {
        List<StatementText> statements = StatementSplitter.split(tokens);
        if (statements.isEmpty()) {
            Set<ScanFlag> flags = EnumSet.noneOf(ScanFlag.class);
            if (tokens.malformed()) {
                flags.add(ScanFlag.MALFORMED);
                return new ScanResult(StatementKind.UNKNOWN, false, List.of(), flags, 0);
            }
            return new ScanResult(StatementKind.READ, false, List.of(), flags, 0); // empty query
        }
        if (statements.size() == 1) {
            return scan(statements.get(0));
        }
        StatementKind kind = StatementKind.READ;
        Set<ScanFlag> flags = EnumSet.of(ScanFlag.MULTIPLE_STATEMENTS);
        List<RelationRef> relations = new ArrayList<>();
        boolean where = true;
        for (StatementText s : statements) {
            ScanResult r = scan(s);
            kind = DangerOrder.max(kind, r.kind());
            flags.addAll(r.flags());
            relations.addAll(r.relations());
            where &= r.hasTopLevelWhere();
        }
        return new ScanResult(kind, where, relations, flags, statements.size());
    }

    /**
     * Scans one statement as cut by {@link StatementSplitter}. A defect in the scan must not become an exception
     * on the data path: it yields UNKNOWN, the most dangerous kind.
     */
    public static ScanResult scan(StatementText statement) {
        try {
            return scanUnguarded(statement);
        } catch (RuntimeException e) {
            return new ScanResult(StatementKind.UNKNOWN, false, List.of(), EnumSet.of(ScanFlag.UNRECOGNIZED), 1);
        }
    }

    /** {@link #scan(StatementText)} without the safety net, so tests can find defects. */
    static ScanResult scanUnguarded(StatementText statement) {
        Set<ScanFlag> flags = EnumSet.noneOf(ScanFlag.class);
        CodeView v = new CodeView(statement.tokens(), statement.settings().postgres());
        StatementKind kind = StatementKind.READ;
        if (statement.malformed()) {
            flags.add(ScanFlag.MALFORMED);
            kind = StatementKind.UNKNOWN;
        }
        if (statement.boundaryUncertain()) {
            flags.add(ScanFlag.UNCERTAIN_BOUNDARY);
            kind = StatementKind.UNKNOWN;
        }
        if (statement.compoundBody()) {
            flags.add(ScanFlag.COMPOUND_BODY);
            kind = DangerOrder.max(kind, StatementKind.PROCEDURAL);
        }
        for (Token t : statement.tokens()) {
            if (t.kind() == TokenKind.VERSIONED_COMMENT_START) {
                flags.add(ScanFlag.VERSIONED_COMMENT);
            }
        }
        int first = 0;
        while (v.punct(first, '(')) {
            first++;
        }
        kind = DangerOrder.max(kind, new HeadClassifier(v, flags).classify(first));
        boolean[] heads = heads(v, first, statement.compoundBody() || v.is(first, "CREATE"));
        kind = DangerOrder.max(kind, sweep(v, heads, first, flags));
        int main = mainHead(v, first);
        boolean where = topLevelWhere(v, main);
        List<RelationRef> relations = new RelationCollector(v, flags, heads, first).collect();
        return new ScanResult(kind, where, relations, flags, 1);
    }

    /** Where statements (not expressions) start: the head, after '(' and, in bodies, after ';', BEGIN, THEN… */
    private static boolean[] heads(CodeView v, int first, boolean body) {
        boolean[] heads = new boolean[v.size()];
        if (first < v.size()) {
            heads[first] = true;
        }
        int withMain = v.is(first, "WITH") ? v.withMainHead(first) : -1;
        for (int i = first + 1; i < v.size(); i++) {
            String w = v.upper(i);
            if (!NESTED_HEADS.contains(w)) {
                continue;
            }
            if ((w.equals("INSERT") || w.equals("REPLACE")) && v.punct(i + 1, '(')) {
                continue; // MySQL INSERT(str, …) / REPLACE(str, …) functions
            }
            boolean afterParen = v.punct(i - 1, '(');
            boolean inBody = body && (v.punct(i - 1, ';') || BODY_STATEMENT_STARTS.contains(v.upper(i - 1)));
            boolean explained = i == explainedHead(v, first);
            boolean prepared = v.is(i - 1, "AS") && v.depth[i] == 0 && v.isAny(first, "PREPARE", "CREATE");
            boolean cursor = v.is(i - 1, "FOR") && v.isAny(i - 2, "CURSOR", "HOLD");
            heads[i] = afterParen || i == withMain || inBody || explained || prepared || cursor;
        }
        return heads;
    }

    private static int explainedHead(CodeView v, int first) {
        if (!v.isAny(first, "EXPLAIN", "DESCRIBE", "DESC")) {
            return -1;
        }
        int k = first + 1;
        if (v.punct(k, '(')) {
            k = v.afterGroup(k);
        }
        while (v.isAny(k, "ANALYZE", "ANALYSE", "VERBOSE", "EXTENDED", "PARTITIONS")
                || (v.is(k, "FORMAT") && v.at(k + 1) != null && v.at(k + 1).isOperator("="))) {
            k += v.is(k, "FORMAT") ? 3 : 1;
        }
        return k;
    }

    /** The statement whose WHERE counts as top level: after WITH's CTE list, or the one EXPLAIN runs. */
    private static int mainHead(CodeView v, int first) {
        if (v.is(first, "WITH")) {
            int main = v.withMainHead(first);
            return main < 0 ? first : main;
        }
        int explained = explainedHead(v, first);
        return explained >= 0 ? explained : first;
    }

    private static boolean topLevelWhere(CodeView v, int head) {
        if (head >= v.size()) {
            return false;
        }
        int d = v.depth[head];
        for (int i = head + 1; i < v.size() && v.depth[i] >= d; i++) {
            if (v.depth[i] == d && v.punct(i, ';')) {
                return false;
            }
            if (v.depth[i] == d && v.is(i, "WHERE")) {
                return true;
            }
        }
        return false;
    }

    /** Token-level facts that can only raise the kind. */
    private static StatementKind sweep(CodeView v, boolean[] heads, int first, Set<ScanFlag> flags) {
        StatementKind kind = StatementKind.READ;
        int explained = explainedHead(v, first);
        for (int i = 0; i < v.size(); i++) {
            Token t = v.at(i);
            String w = v.upper(i);
            if (heads[i] && WRITE_HEADS.contains(w)) {
                boolean executed = i != explained || flags.contains(ScanFlag.EXPLAIN_ANALYZE);
                if (executed) {
                    kind = DangerOrder.max(kind, StatementKind.WRITE);
                    if (i != first && (v.punct(i - 1, '(') || i == explained)) {
                        flags.add(ScanFlag.NESTED_WRITE);
                    }
                    if ((w.equals("UPDATE") || w.equals("DELETE")) && !topLevelWhere(v, i)) {
                        flags.add(ScanFlag.WRITE_WITHOUT_WHERE);
                    }
                }
            }
            if (t.kind() == TokenKind.VARIABLE) {
                flags.add(t.text().startsWith("@@") ? ScanFlag.SYSTEM_VARIABLE : ScanFlag.USER_VARIABLE);
                if (v.at(i + 1) != null && v.at(i + 1).isOperator(":=")) {
                    kind = DangerOrder.max(kind, StatementKind.SESSION); // SELECT @n := @n + 1 assigns
                }
            }
            if (w.equals("INTO")) {
                kind = DangerOrder.max(kind, selectInto(v, i, flags));
            }
            if (w.equals("FOR") && (v.isAny(i + 1, "UPDATE", "SHARE") || (v.is(i + 1, "NO") && v.is(i + 2, "KEY"))
                    || (v.is(i + 1, "KEY") && v.is(i + 2, "SHARE")))) {
                flags.add(ScanFlag.LOCKING_READ);
            }
            if (w.equals("LOCK") && v.is(i + 1, "IN") && v.is(i + 2, "SHARE")) {
                flags.add(ScanFlag.LOCKING_READ);
            }
            if (t.kind() == TokenKind.WORD && v.punct(i + 1, '(')) {
                kind = DangerOrder.max(kind, function(t.text().toLowerCase(Locale.ROOT), flags));
            }
        }
        return kind;
    }

    private static StatementKind function(String name, Set<ScanFlag> flags) {
        StatementKind floor = FUNCTIONS.get(name);
        if (name.equals("current_setting")) {
            flags.add(ScanFlag.SYSTEM_VARIABLE);
        }
        if (floor == null) {
            return StatementKind.READ;
        }
        if (floor == StatementKind.PROCEDURAL) {
            flags.add(ScanFlag.DANGEROUS_FUNCTION);
        }
        if (name.equals("set_config")) {
            flags.add(ScanFlag.SYSTEM_VARIABLE);
        }
        if (FILE_FUNCTIONS.contains(name)) {
            flags.add(ScanFlag.SERVER_FILE_ACCESS);
        }
        if (QUERY_TEXT_FUNCTIONS.contains(name)) {
            flags.add(ScanFlag.DYNAMIC_SQL);
        }
        if (name.startsWith("sys_")) {
            flags.add(ScanFlag.PROGRAM_EXECUTION);
        }
        return floor;
    }

    /** SELECT … INTO: a new table (PostgreSQL), a server file or variables (MySQL). INSERT/MERGE INTO is not it. */
    private static StatementKind selectInto(CodeView v, int i, Set<ScanFlag> flags) {
        if (v.isAny(i - 1, "INSERT", "REPLACE", "MERGE", "IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY")) {
            return StatementKind.READ;
        }
        int d = v.depth[i];
        boolean inSelect = false;
        for (int j = i - 1; j >= 0 && v.depth[j] >= d; j--) {
            if (v.depth[j] == d && v.isAny(j, "SELECT", "FETCH", "TABLE", "VALUES")) {
                inSelect = true;
                break;
            }
            if (v.depth[j] == d && v.isAny(j, "INSERT", "REPLACE", "MERGE", "LOAD", "IMPORT", "CREATE", "ALTER")) {
                return StatementKind.READ;
            }
        }
        if (!inSelect) {
            return StatementKind.READ;
        }
        flags.add(ScanFlag.SELECT_INTO);
        if (v.is(i + 1, "OUTFILE")) {
            flags.add(ScanFlag.INTO_OUTFILE);
            flags.add(ScanFlag.SERVER_FILE_ACCESS);
            return StatementKind.WRITE;
        }
        if (v.is(i + 1, "DUMPFILE")) {
            flags.add(ScanFlag.INTO_DUMPFILE);
            flags.add(ScanFlag.SERVER_FILE_ACCESS);
            return StatementKind.WRITE;
        }
        if (v.pg) {
            return StatementKind.DDL; // SELECT … INTO new_table creates and fills a table
        }
        return StatementKind.SESSION; // INTO @var or a local variable
    }
}
