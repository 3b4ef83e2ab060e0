package dev.veil.upstream.catalog;

import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.classification.TypeFamily;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a bounded sample of column values for classification, on the control plane: one short-lived connection
 * of its own (never a client's), read-only, with a lock and statement timeout per table, at most
 * {@link #ROWS} rows per table, each value cut to {@link #VALUE_CHARS} characters by the server, at most
 * {@link #MAX_TABLES} tables and {@link #BUDGET} in all. Only columns a detector can read are selected (text,
 * numbers, network addresses; no binary, JSON or dates). A table that cannot be read (no privilege, a lock, the
 * timeout) is left out: its columns keep the tags their names give. The values go to the classifier and are
 * not kept.
 */
abstract class ColumnSampler {
    static final int ROWS = 200;
    static final int VALUE_CHARS = 256;
    static final int MAX_TABLES = 500;
    static final Duration BUDGET = Duration.ofSeconds(60);

    /** Connects and makes the session read-only with short lock and statement timeouts. */
    abstract Future<SqlConnection> open();

    /** The sampling statement of these columns of a table. */
    abstract String select(RelationInfo table, List<ColumnInfo> columns);

    /** The sampled columns' non-null values, by [schema, table] and column; unreadable tables are left out. */
    Future<Map<List<String>, Map<String, List<String>>>> sample(List<RelationInfo> tables) {
        long deadline = System.nanoTime() + BUDGET.toNanos();
        return open().compose(conn -> {
            Map<List<String>, Map<String, List<String>>> out = new LinkedHashMap<>();
            Iterator<RelationInfo> next = tables.stream().limit(MAX_TABLES).iterator();
            Promise<Map<List<String>, Map<String, List<String>>>> done = Promise.promise();
            step(conn, next, out, deadline, done);
            return done.future().eventually(() -> conn.close());
        });
    }

    /** One table at a time, so the server sees one small query at a time from Veil. */
    private void step(SqlConnection conn, Iterator<RelationInfo> tables, Map<List<String>, Map<String, List<String>>> out,
                      long deadline, Promise<Map<List<String>, Map<String, List<String>>>> done) {
        if (!tables.hasNext() || System.nanoTime() > deadline) {
            done.complete(out);
            return;
        }
        RelationInfo table = tables.next();
        List<ColumnInfo> columns = sampled(table);
        conn.query(select(table, columns)).execute()
                .map(rows -> values(columns, rows))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        out.put(List.of(table.schema(), table.name()), ar.result());
                    }
                    step(conn, tables, out, deadline, done);
                });
    }

    static List<ColumnInfo> sampled(RelationInfo table) {
        return table.columns().stream().filter(c -> TypeFamily.of(c.type()).sampled()).toList();
    }

    private static Map<String, List<String>> values(List<ColumnInfo> columns, RowSet<Row> rows) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        columns.forEach(c -> out.put(c.name(), new ArrayList<>()));
        for (Row r : rows) {
            for (int i = 0; i < columns.size(); i++) {
                Object v = r.getValue(i);
                if (v != null) {
                    out.get(columns.get(i).name()).add(v.toString());
                }
            }
        }
        return out;
    }

    static String selectList(List<ColumnInfo> columns, Function<String, String> expression) {
        StringBuilder sql = new StringBuilder();
        for (ColumnInfo c : columns) {
            sql.append(sql.length() == 0 ? "" : ", ").append(expression.apply(c.name()));
        }
        return sql.toString();
    }
}
