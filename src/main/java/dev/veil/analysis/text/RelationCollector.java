package dev.veil.analysis.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Relations named in one statement, from tokens: after FROM / JOIN / USING / INTO / UPDATE / TABLE / VIEW /
 * ON (indexes, triggers, grants) / REFERENCES / COPY and the like. Over-reporting is acceptable (a CTE name,
 * a cursor), missing a relation is not; a function in FROM sets {@link ScanFlag#TABLE_FUNCTION}.
 */
final class RelationCollector {
    private static final Set<String> SELECT_MODIFIERS = Set.of("SELECT", "HIGH_PRIORITY", "DISTINCT",
            "DISTINCTROW", "ALL", "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_NO_CACHE",
            "SQL_CACHE", "SQL_CALC_FOUND_ROWS");
    /** Words before TABLE that make it the table being defined. */
    private static final Set<String> DEFINING_TABLE = Set.of("CREATE", "TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL",
            "LOCAL", "FOREIGN", "ALTER", "DROP", "RENAME", "ON", "EXTERNAL", "REPLACE");
    private static final Set<String> VIEW_HEADS = Set.of("CREATE", "ALTER", "DROP", "REFRESH", "SHOW");
    private static final Set<String> DEFINITION_HEADS = Set.of("CREATE", "DROP", "ALTER");
    private final CodeView v;
    private final Set<ScanFlag> flags;
    private final boolean[] head;
    private final String statementHead;
    private final RelationReader reader;
    private final boolean[] writeRegion;

    RelationCollector(CodeView v, Set<ScanFlag> flags, boolean[] head, int mainHead) {
        this.v = v;
        this.flags = flags;
        this.head = head;
        this.statementHead = v.upper(mainHead);
        this.reader = new RelationReader(v, flags);
        this.writeRegion = writeRegions();
    }

    List<RelationRef> collect() {
        for (int i = 0; i < v.size(); i++) {
            String w = v.upper(i);
            switch (w) {
                case "FROM":
                    if (relationFrom(i)) {
                        reader.list(i + 1, access(i), true);
                    }
                    break;
                case "JOIN":
                    reader.item(i + 1, access(i), true);
                    break;
                case "STRAIGHT_JOIN":
                    if (!SELECT_MODIFIERS.contains(v.upper(i - 1))) {
                        reader.item(i + 1, access(i), true); // not the SELECT STRAIGHT_JOIN modifier
                    }
                    break;
                case "LIKE":
                    if (statementHead.equals("CREATE") && (v.punct(i - 1, '(') || v.punct(i - 1, ','))) {
                        reader.item(i + 1, RelationAccess.READ, false); // PostgreSQL CREATE TABLE t (LIKE s …)
                    }
                    break;
                case "USING":
                    using(i);
                    break;
                case "INTO":
                    into(i);
                    break;
                case "UPDATE":
                    if (head[i]) {
                        reader.list(reader.skipModifiers(i + 1), RelationAccess.WRITE, true);
                    }
                    break;
                case "DELETE":
                    if (head[i] && !v.is(reader.skipModifiers(i + 1), "FROM")) {
                        // MySQL DELETE t1, t2 FROM …
                        reader.list(reader.skipModifiers(i + 1), RelationAccess.WRITE, true);
                    }
                    break;
                case "INSERT":
                case "REPLACE":
                    if (head[i] && !v.is(reader.skipModifiers(i + 1), "INTO") && !v.punct(i + 1, '(')) {
                        // MySQL INSERT t VALUES …
                        reader.item(reader.skipModifiers(i + 1), RelationAccess.WRITE, false);
                    }
                    break;
                case "TABLE":
                case "TABLES":
                    table(i);
                    break;
                case "VIEW":
                    view(i);
                    break;
                case "ON":
                    on(i);
                    break;
                case "REFERENCES":
                    reader.item(i + 1, RelationAccess.READ, false);
                    break;
                default:
                    headSpecific(i, w);
            }
        }
        return reader.relations();
    }

    private void headSpecific(int i, String w) {
        if (i != firstWord()) {
            return;
        }
        switch (w) {
            case "COPY":
                if (!v.punct(i + 1, '(')) {
                    reader.item(i + 1, copyFrom(i) ? RelationAccess.WRITE : RelationAccess.READ, false);
                }
                break;
            case "LOCK":
                if (v.pg && !v.isAny(i + 1, "TABLE")) {
                    reader.list(i + 1, RelationAccess.READ, true);
                }
                break;
            case "DESCRIBE":
            case "DESC":
            case "EXPLAIN":
                if (!v.pg && v.at(i + 1) != null && v.at(i + 1).isName() && !v.isAny(i + 1, "SELECT", "INSERT",
                        "UPDATE", "DELETE", "REPLACE", "WITH", "TABLE", "VALUES", "ANALYZE", "FORMAT", "EXTENDED",
                        "PARTITIONS", "FOR")) {
                    reader.item(i + 1, RelationAccess.READ, false);
                }
                break;
            case "HANDLER":
                reader.item(i + 1, RelationAccess.READ, false);
                break;
            case "TRUNCATE":
                if (!v.is(i + 1, "TABLE")) {
                    reader.list(reader.skipModifiers(i + 1), RelationAccess.WRITE, true);
                }
                break;
            case "SHOW":
                for (int k = i + 1; k < v.size(); k++) {
                    if (v.isAny(k, "FROM", "IN") && v.isAny(k - 1, "COLUMNS", "FIELDS", "INDEX", "INDEXES", "KEYS")) {
                        reader.item(k + 1, RelationAccess.READ, false);
                    }
                }
                break;
            default:
        }
    }

    private int firstWord() {
        int k = 0;
        while (v.punct(k, '(')) {
            k++;
        }
        return k;
    }

    // ---- contexts ---------------------------------------------------------------------------------------

    /** FROM introduces relations only in a SELECT/DELETE/UPDATE at its own level, not in EXTRACT(x FROM y). */
    private boolean relationFrom(int i) {
        if (v.is(i - 1, "DISTINCT") && v.isAny(i - 2, "IS", "NOT")) {
            return false;
        }
        String level = levelHead(i);
        return level.equals("SELECT") || level.equals("DELETE") || level.equals("UPDATE");
    }

    /** The nearest SELECT / DELETE / UPDATE / … word at the same parenthesis level before {@code i}. */
    private String levelHead(int i) {
        int d = v.depth[i];
        for (int j = i - 1; j >= 0; j--) {
            if (v.depth[j] < d) {
                return "";
            }
            if (v.depth[j] == d && v.isAny(j, "SELECT", "DELETE", "UPDATE", "INSERT", "REPLACE", "COPY", "SHOW",
                    "REVOKE", "GRANT", "FETCH", "MOVE", "MERGE", "VALUES")) {
                if (v.is(j, "UPDATE") && !head[j]) {
                    continue; // FOR UPDATE, DO UPDATE, ON DUPLICATE KEY UPDATE
                }
                return v.upper(j);
            }
        }
        return "";
    }

    private void using(int i) {
        if (v.punct(i + 1, '(')) {
            return; // JOIN … USING (col)
        }
        String level = levelHead(i);
        if (level.equals("DELETE")) {
            reader.list(i + 1, v.pg ? RelationAccess.READ : RelationAccess.WRITE, true);
        } else if (level.equals("MERGE") || statementHead.equals("MERGE")) {
            reader.item(i + 1, RelationAccess.READ, true);
        }
    }

    private void into(int i) {
        if (v.isAny(i - 1, "INSERT", "REPLACE", "MERGE") || reader.isModifier(v.upper(i - 1))) {
            if (!v.is(i + 1, "TABLE")) {
                reader.item(i + 1, RelationAccess.WRITE, false); // INTO TABLE (LOAD DATA) is the TABLE rule's
            }
            return;
        }
        if (!v.pg || !levelHead(i).equals("SELECT")) {
            return; // MySQL SELECT … INTO @var / OUTFILE / local variable; LOAD DATA … INTO TABLE is TABLE's
        }
        int k = i + 1;
        while (v.isAny(k, "TEMP", "TEMPORARY", "UNLOGGED", "LOCAL", "GLOBAL", "TABLE")) {
            k++;
        }
        reader.item(k, RelationAccess.DEFINE, false);
    }

    private void table(int i) {
        String prev = v.upper(i - 1);
        RelationAccess access;
        if (statementHead.equals("SHOW") && !prev.equals("CREATE")) {
            return; // SHOW TABLE STATUS, SHOW TABLES
        }
        if (v.isAny(i - 2, "INTO") || v.isAny(i - 3, "INTO")) {
            if (!prev.equals("INTO")) {
                return; // SELECT … INTO TEMP TABLE t: the INTO rule has it
            }
        }
        if (statementHead.equals("SHOW") || statementHead.equals("EXPLAIN") || statementHead.equals("DESCRIBE")) {
            access = RelationAccess.READ;
        } else if (prev.equals("TRUNCATE") || prev.equals("INTO")) {
            access = RelationAccess.WRITE;
        } else if (i == firstWord() || prev.equals("LOCK") || prev.equals("ANALYZE") || prev.equals("OPTIMIZE")
                || prev.equals("CHECK") || prev.equals("CHECKSUM") || prev.equals("FLUSH") || prev.equals("REPAIR")
                || prev.equals("FOR")) {
            access = RelationAccess.READ;
        } else if (DEFINING_TABLE.contains(prev)
                || statementHead.equals("GRANT") || statementHead.equals("REVOKE")) {
            access = RelationAccess.DEFINE;
        } else {
            return; // RETURNS TABLE (…), ALL TABLES IN SCHEMA, …
        }
        if (prev.equals("FLUSH") && (v.at(i + 1) == null || !v.at(i + 1).isName())) {
            return;
        }
        int k = reader.skipIfExists(i + 1);
        while (v.is(k, "ONLY")) {
            k++;
        }
        boolean lock = prev.equals("LOCK") && !v.pg;
        while (k < v.size()) {
            int after = lock ? lockItem(k) : reader.item(k, access, false);
            if (after < 0) {
                return;
            }
            if (v.is(after, "TO") && prev.equals("RENAME")) {
                after = reader.item(after + 1, access, false); // RENAME TABLE a TO b, c TO d
            } else if (v.is(after, "LIKE")) {
                after = reader.item(after + 1, RelationAccess.READ, false); // CREATE TABLE x LIKE y
            }
            if (after < 0 || !v.punct(after, ',') || v.depth[after] != v.depth[i]) {
                return;
            }
            k = after + 1;
        }
    }

    /** MySQL LOCK TABLES t [AS a] READ [LOCAL] | [LOW_PRIORITY] WRITE. */
    private int lockItem(int k) {
        int end = k;
        while (end < v.size() && !v.punct(end, ',') && !v.isAny(end, "READ", "WRITE")) {
            end++;
        }
        boolean write = v.is(end, "WRITE") || v.is(end - 1, "LOW_PRIORITY");
        int after = reader.item(k, write ? RelationAccess.WRITE : RelationAccess.READ, false);
        if (after < 0) {
            return -1;
        }
        while (after < v.size() && !v.punct(after, ',')) {
            after++;
        }
        return after;
    }

    private void view(int i) {
        if (!VIEW_HEADS.contains(statementHead) || v.depth[i] != 0) {
            return;
        }
        for (int j = 0; j < i; j++) {
            if (v.is(j, "VIEW") || v.is(j, "AS")) {
                return; // only the first VIEW names the defined view
            }
        }
        int k = reader.skipIfExists(i + 1);
        if (v.is(k, "CONCURRENTLY")) {
            k++;
        }
        RelationAccess access = statementHead.equals("REFRESH") ? RelationAccess.WRITE
                : statementHead.equals("SHOW") ? RelationAccess.READ : RelationAccess.DEFINE;
        reader.list(k, access, true);
    }

    private void on(int i) {
        if (v.depth[i] != 0) {
            return;
        }
        if (statementHead.equals("GRANT") || statementHead.equals("REVOKE")) {
            grantTarget(i + 1);
            return;
        }
        if (!DEFINITION_HEADS.contains(statementHead)) {
            return;
        }
        for (int j = 0; j < i; j++) {
            if (v.depth[j] == 0 && v.isAny(j, "INDEX", "TRIGGER", "POLICY", "STATISTICS")) {
                reader.item(v.is(i + 1, "ONLY") ? i + 2 : i + 1, RelationAccess.DEFINE, false);
                return;
            }
        }
    }

    private void grantTarget(int k) {
        if (v.isAny(k, "SCHEMA", "DATABASE", "FUNCTION", "PROCEDURE", "SEQUENCE", "LANGUAGE", "TYPE", "DOMAIN",
                "FOREIGN", "LARGE", "TABLESPACE", "ROUTINE", "ALL", "PARAMETER")) {
            return;
        }
        if (v.is(k, "TABLE")) {
            return; // the TABLE rule takes it from here
        }
        while (k < v.size()) {
            int after = reader.grantName(k);
            if (after < 0 || !v.punct(after, ',')) {
                return;
            }
            k = after + 1;
        }
    }


    private boolean copyFrom(int copy) {
        for (int i = copy + 1; i < v.size(); i++) {
            if (v.depth[i] == v.depth[copy] && v.isAny(i, "FROM", "TO")) {
                return v.is(i, "FROM");
            }
        }
        return true;
    }

    private RelationAccess access(int i) {
        return writeRegion[i] ? RelationAccess.WRITE : RelationAccess.READ;
    }

    /**
     * Tokens between an UPDATE/DELETE head and its SET/WHERE name the written tables (MySQL multi-table forms
     * included; every table there is counted as written, which may over-report).
     */
    private boolean[] writeRegions() {
        boolean[] region = new boolean[v.size()];
        for (int h = 0; h < v.size(); h++) {
            boolean update = v.is(h, "UPDATE");
            if (!head[h] || !(update || v.is(h, "DELETE"))) {
                continue;
            }
            int d = v.depth[h];
            for (int i = h; i < v.size() && v.depth[i] >= d; i++) {
                if (v.depth[i] == d && (v.punct(i, ';') || (update && v.is(i, "SET"))
                        || (!update && v.isAny(i, "WHERE", "RETURNING", "ORDER", "LIMIT"))
                        || (!update && v.pg && v.is(i, "USING")))) {
                    break;
                }
                region[i] = true;
            }
        }
        return region;
    }
}
