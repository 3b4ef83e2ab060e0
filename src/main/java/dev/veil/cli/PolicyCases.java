package dev.veil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.policy.trial.Asker;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The cases file of {@code veil policy test}: a YAML list of cases, or a mapping with {@code cases} and the
 * defaults {@code dialect}, {@code database}, {@code environment}, and {@code tables} (the catalog statements are
 * analysed against; without it, every statement is analysed without a catalog). See docs/policy.md.
 */
record PolicyCases(String environment, Map<Dialect, CatalogSnapshot> catalogs, List<Case> cases) {
    private static final Set<String> TOP_KEYS = Set.of("cases", "dialect", "database", "environment", "tables");
    private static final Set<String> CASE_KEYS = Set.of("name", "identity", "role", "sql", "dialect", "database", "expect",
            "rule", "time", "read-only-roles", "database-user", "ceiling");
    static final Set<String> OUTCOMES = Set.of("allow", "deny", "require-approval");

    /**
     * One case; {@code rule} null: any rule; {@code time} null: now; {@code readOnlyRoles} null: the command's;
     * {@code databaseUser} (read-only or read-write) and {@code ceiling} (its max-rows, {@link #NO_CEILING} for none)
     * null: not checked.
     */
    record Case(int number, String name, Asker asker, Dialect dialect, String database, String sql, String expect,
                String rule, Instant time, List<String> readOnlyRoles, String databaseUser, Long ceiling) {
        String label() {
            return number + (name == null ? "" : " " + name);
        }
    }

    /** The file cannot be used; the message says where and what. */
    static final class Problem extends Exception {
        Problem(String message) {
            super(message);
        }
    }

    static PolicyCases read(String text, String source) throws Problem {
        Object root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr() + ": ";
            throw new Problem(source + ":" + where + "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        Map<String, Object> top;
        if (root instanceof List<?>) {
            top = Map.of("cases", root);
        } else if (root instanceof Map<?, ?> m) {
            top = strings(m);
        } else {
            throw new Problem(source + ": a cases file is a list of cases, or a mapping with cases: (see docs/policy.md)");
        }
        for (String key : top.keySet()) {
            if (!TOP_KEYS.contains(key)) {
                throw new Problem(source + ": " + key + " is not a key of a cases file; the keys are " + String.join(", ", TOP_KEYS));
            }
        }
        if (!(top.get("cases") instanceof List<?> list) || list.isEmpty()) {
            throw new Problem(source + ": cases: a list of at least one case ({identity or role, sql, expect})");
        }
        Dialect dialect = dialect(top.get("dialect"), source + ": dialect");
        String database = text(top.get("database"), source + ": database");
        Map<Dialect, CatalogSnapshot> catalogs = tables(top.get("tables"), database, source);
        List<Case> cases = new ArrayList<>();
        int n = 0;
        for (Object item : list) {
            n++;
            cases.add(one(item, n, source, dialect == null ? Dialect.POSTGRESQL : dialect, database));
        }
        return new PolicyCases(text(top.get("environment"), source + ": environment"), catalogs, List.copyOf(cases));
    }

    private static Case one(Object item, int n, String source, Dialect dialect, String database) throws Problem {
        String where = source + ": case " + n;
        if (!(item instanceof Map<?, ?> raw)) {
            throw new Problem(where + ": a case is a mapping {identity or role, sql, expect}");
        }
        Map<String, Object> c = strings(raw);
        String name = text(c.get("name"), where + ": name");
        if (name != null) {
            where += " (" + name + ")";
        }
        for (String key : c.keySet()) {
            if (!CASE_KEYS.contains(key)) {
                throw new Problem(where + ": " + key + " is not a key of a case; the keys are " + String.join(", ", CASE_KEYS));
            }
        }
        Asker asker;
        try {
            asker = Asker.read(c.get("identity"), c.get("role"));
        } catch (IllegalArgumentException e) {
            throw new Problem(where + ": " + e.getMessage());
        }
        String sql = text(c.get("sql"), where + ": sql");
        if (sql == null || sql.isBlank()) {
            throw new Problem(where + ": sql is missing: the statement to decide");
        }
        String expect = text(c.get("expect"), where + ": expect");
        if (expect == null || !OUTCOMES.contains(expect.toLowerCase(Locale.ROOT))) {
            throw new Problem(where + ": expect is allow, deny or require-approval" + (expect == null ? "" : ", not \"" + expect + "\""));
        }
        Dialect d = dialect(c.get("dialect"), where + ": dialect");
        String db = text(c.get("database"), where + ": database");
        String time = text(c.get("time"), where + ": time");
        Instant at;
        try {
            at = time == null ? null : Instant.parse(time);
        } catch (DateTimeParseException e) {
            throw new Problem(where + ": time is an instant such as 2026-01-31T03:00:00Z, not \"" + time + "\"");
        }
        return new Case(n, name, asker, d == null ? dialect : d, db == null ? database : db, sql,
                expect.toLowerCase(Locale.ROOT), text(c.get("rule"), where + ": rule"), at,
                names(c.get("read-only-roles"), where + ": read-only-roles"), databaseUser(c.get("database-user"), where),
                ceiling(c.get("ceiling"), where));
    }

    /** A case's {@code ceiling: none}. */
    static final long NO_CEILING = -1;

    private static List<String> names(Object value, String where) throws Problem {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new Problem(where + " is a list of role names ([analyst]), the roles whose database user is read-only");
        }
        return list.stream().map(String::valueOf).toList();
    }

    private static String databaseUser(Object value, String where) throws Problem {
        String v = text(value, where + ": database-user");
        if (v != null && !v.equals("read-only") && !v.equals("read-write")) {
            throw new Problem(where + ": database-user is read-only or read-write, not \"" + v + "\"");
        }
        return v;
    }

    private static Long ceiling(Object value, String where) throws Problem {
        String v = text(value, where + ": ceiling");
        if (v == null) {
            return null;
        }
        if (v.equals("none")) {
            return NO_CEILING;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Problem(where + ": ceiling is the max-rows of the affected-rows ceiling expected, or none, not \"" + v + "\"");
        }
    }

    /** {@code tables: {orders: [id int8, amount numeric], "sales.items": [...]}}: one catalog per dialect. */
    private static Map<Dialect, CatalogSnapshot> tables(Object value, String database, String source) throws Problem {
        Map<Dialect, CatalogSnapshot> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw new Problem(source + ": tables: a mapping of table name to its columns ([id int8, name text])");
        }
        for (Dialect d : Dialect.values()) {
            String db = database == null ? "" : database;
            CatalogSnapshot.Builder b = CatalogSnapshot.builder(d, db);
            for (Map.Entry<String, Object> t : strings(raw).entrySet()) {
                String table = t.getKey();
                int dot = table.lastIndexOf('.');
                String schema = dot > 0 ? table.substring(0, dot) : d == Dialect.POSTGRESQL ? "public" : db;
                if (!(t.getValue() instanceof List<?> cols) || cols.isEmpty()) {
                    throw new Problem(source + ": tables." + table + ": a list of columns, each \"name type\" (id int8)");
                }
                List<ColumnInfo> columns = new ArrayList<>();
                for (Object col : cols) {
                    String[] parts = String.valueOf(col).trim().split("\\s+", 2);
                    columns.add(new ColumnInfo(parts[0], parts.length > 1 ? parts[1] : "text", true));
                }
                b.table(schema, dot > 0 ? table.substring(dot + 1) : table, columns.toArray(ColumnInfo[]::new));
            }
            out.put(d, b.build());
        }
        return out;
    }

    private static Dialect dialect(Object value, String where) throws Problem {
        String d = text(value, where);
        if (d == null) {
            return null;
        }
        try {
            return Dialect.valueOf(d.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Problem(where + " is postgresql or mysql, not \"" + d + "\"");
        }
    }

    private static String text(Object value, String where) throws Problem {
        if (value instanceof Map || value instanceof List) {
            throw new Problem(where + " is a text, not " + (value instanceof Map ? "a mapping" : "a list"));
        }
        return value == null ? null : value.toString();
    }

    private static Map<String, Object> strings(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
