package dev.veil.upstream.catalog;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.analysis.catalog.RoutineInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a PostgreSQL database's relations (tables, partitioned and foreign tables, views and materialized views
 * with their definitions), their columns with pg_type names and comments, pg_catalog's own tables and views, and the
 * login role's search_path, over one short-lived connection, the queries pipelined. information_schema is not read:
 * the snapshot models the parts of it clients query. Functions by oid, which only fast-path calls need, are read
 * apart ({@link #routines}), when the first such call comes.
 */
public final class PgCatalogLoader {
    static final String COLUMNS = """
            SELECT n.nspname, c.relname, c.relkind, a.attname, t.typname, a.attnotnull,
                   pg_catalog.col_description(c.oid, a.attnum)
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm')
              AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY n.nspname, c.relname, a.attnum""";
    /**
     * pg_catalog's tables and views as this server defines them, for the queries psql's \d family, drivers and
     * admin tools send (their columns change between server versions). Relations that hold secrets or copies of
     * table data stay out, so a query on them fails analysis and fails closed: password hashes (pg_authid,
     * pg_shadow), user mappings' and subscriptions' connection options, planner statistics (most common values
     * of every column), large objects.
     */
    static final String SYSTEM_COLUMNS = """
            SELECT c.relname, a.attname, t.typname, a.attnotnull
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v')
              AND c.relname NOT IN ('pg_authid', 'pg_shadow', 'pg_user_mapping', 'pg_user_mappings',
                'pg_subscription', 'pg_statistic', 'pg_statistic_ext_data', 'pg_stats', 'pg_stats_ext',
                'pg_stats_ext_exprs', 'pg_largeobject')
            ORDER BY c.relname, a.attnum""";
    static final String VIEWS = """
            SELECT n.nspname, c.relname, pg_catalog.pg_get_viewdef(c.oid, true)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'""";
    /** Every function by oid, for fast-path FunctionCalls (about 3,000 rows in a new database, a few hundred kB). */
    static final String ROUTINES = """
            SELECT p.oid::int8, n.nspname, p.proname, p.provolatile <> 'v'
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace""";
    static final String SESSION = "SELECT current_database(), pg_catalog.current_schemas(false)";
    static final String SETTINGS = "SELECT pg_catalog.set_config('search_path', '', false), "
            + "pg_catalog.set_config('lock_timeout', '1s', false), pg_catalog.set_config('statement_timeout', '5s', false)";

    private final Vertx vertx;

    public PgCatalogLoader(Vertx vertx) {
        this.vertx = vertx;
    }

    public Future<LoadedCatalog> load(PgConnectOptions options, long version) {
        return PgConnection.connect(vertx, options).compose(conn -> read(conn, version)
                .eventually(() -> conn.close()));
    }

    /**
     * Every function of the database by oid. Read on the first fast-path call rather than with the catalog: most
     * databases never see one, and pg_proc is most of the catalog's rows (a new database has about 3,000 functions,
     * pg_catalog's columns about 1,500, a small application's a few hundred).
     */
    public Future<Map<Long, RoutineInfo>> routines(PgConnectOptions options) {
        return PgConnection.connect(vertx, options).compose(conn -> conn.query(SETTINGS).execute()
                .compose(ignored -> conn.query(ROUTINES).execute())
                .map(PgCatalogLoader::routines)
                .eventually(() -> conn.close()));
    }

    static Map<Long, RoutineInfo> routines(RowSet<Row> rows) {
        Map<Long, RoutineInfo> byOid = new HashMap<>();
        for (Row r : rows) {
            byOid.put(r.getLong(0), new RoutineInfo(r.getLong(0), r.getString(1), r.getString(2), r.getBoolean(3)));
        }
        return Map.copyOf(byOid);
    }

    /**
     * The session's search_path is read first; then it is emptied, so that pg_get_viewdef qualifies every name
     * in a view definition and the definition resolves the same way whatever path the analysing session has.
     * pg_get_viewdef locks the relations a view reads: a lock held by an open transaction (DDL in a client's
     * transaction, through Veil or not) makes the read fail after lock_timeout instead of waiting for it.
     * The queries are sent together (the client pipelines them) and the server runs them in that order, so the
     * path is read before it is emptied and the views after.
     */
    private Future<LoadedCatalog> read(PgConnection conn, long version) {
        Future<RowSet<Row>> session = conn.query(SESSION).execute();
        Future<RowSet<Row>> settings = conn.query(SETTINGS).execute();
        Future<RowSet<Row>> columns = conn.query(COLUMNS).execute();
        Future<RowSet<Row>> views = conn.query(VIEWS).execute();
        Future<RowSet<Row>> system = conn.query(SYSTEM_COLUMNS).execute();
        return Future.all(session, settings, columns, views, system).map(all ->
                build(columns.result(), views.result(), system.result(), session.result(), version));
    }

    static LoadedCatalog build(RowSet<Row> columns, RowSet<Row> views, RowSet<Row> system, RowSet<Row> session,
                               long version) {
        Map<List<String>, String> definitions = new LinkedHashMap<>();
        for (Row r : views) {
            definitions.put(List.of(r.getString(0), r.getString(1)), r.getString(2));
        }
        Row s = session.iterator().next();
        String database = s.getString(0);
        List<String> searchPath = new ArrayList<>();
        for (Object o : s.getArrayOfStrings(1)) {
            searchPath.add((String) o);
        }
        CatalogSnapshot.Builder builder = CatalogSnapshot.builder(Dialect.POSTGRESQL, database).version(version);
        searchPath.forEach(builder::schema);
        Map<List<String>, List<ColumnInfo>> relations = new LinkedHashMap<>();
        for (Row r : columns) {
            relations.computeIfAbsent(List.of(r.getString(0), r.getString(1)), k -> new ArrayList<>())
                    .add(new ColumnInfo(r.getString(3), r.getString(4), !r.getBoolean(5), r.getString(6)));
        }
        relations.forEach((name, cols) -> {
            String definition = definitions.get(name);
            builder.relation(definition == null ? RelationInfo.table(name.get(0), name.get(1), cols)
                    : RelationInfo.view(name.get(0), name.get(1), cols, definition));
        });
        // System views are tables here: what they read is the server's business, their columns are what matters.
        Map<String, List<ColumnInfo>> systemRelations = new LinkedHashMap<>();
        for (Row r : system) {
            systemRelations.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
                    .add(new ColumnInfo(r.getString(1), r.getString(2), !r.getBoolean(3)));
        }
        systemRelations.forEach((name, cols) -> builder.relation(RelationInfo.table("pg_catalog", name, cols)));
        return new LoadedCatalog(builder.build(), new NameResolution(database, searchPath));
    }
}
