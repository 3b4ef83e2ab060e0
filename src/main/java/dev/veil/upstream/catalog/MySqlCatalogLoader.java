package dev.veil.upstream.catalog;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the relations and columns (with their comments) of every non-system database of a MySQL / MariaDB server from
 * information_schema, with view definitions, over one short-lived connection. Schemas are databases.
 */
public final class MySqlCatalogLoader {
    static final String COLUMNS = """
            SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.IS_NULLABLE, c.COLUMN_COMMENT
            FROM information_schema.COLUMNS c
            WHERE c.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
            ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION""";
    static final String VIEWS = """
            SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS
            WHERE TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')""";

    private final Vertx vertx;

    public MySqlCatalogLoader(Vertx vertx) {
        this.vertx = vertx;
    }

    public Future<LoadedCatalog> load(MySQLConnectOptions options, long version) {
        return MySQLConnection.connect(vertx, options).compose(conn -> timeouts(conn)
                .compose(ignored -> conn.query(COLUMNS).execute())
                .compose(columns -> conn.query(VIEWS).execute()
                        .map(views -> build(options.getDatabase(), columns, views, version)))
                .eventually(() -> conn.close()));
    }

    /**
     * A metadata lock held by another session makes the read fail after a second instead of waiting for it
     * (lock_wait_timeout, both servers). The statement cap is MariaDB's max_statement_time (seconds) or MySQL's
     * max_execution_time (milliseconds). A setting the server refuses is left out: the registry's load timeout
     * still bounds the read.
     */
    private static Future<Void> timeouts(MySQLConnection conn) {
        return conn.query("SET SESSION lock_wait_timeout = 1").execute().<Void>mapEmpty().otherwiseEmpty()
                .compose(ignored -> conn.query("SET SESSION max_statement_time = 5").execute()
                        .recover(notMariaDb -> conn.query("SET SESSION max_execution_time = 5000").execute())
                        .<Void>mapEmpty().otherwiseEmpty());
    }

    static LoadedCatalog build(String database, RowSet<Row> columns, RowSet<Row> views, long version) {
        Map<List<String>, String> definitions = new LinkedHashMap<>();
        for (Row r : views) {
            definitions.put(List.of(r.getString(0), r.getString(1)), r.getString(2));
        }
        CatalogSnapshot.Builder builder = CatalogSnapshot.builder(Dialect.MYSQL, database == null ? "" : database)
                .version(version);
        Map<List<String>, List<ColumnInfo>> relations = new LinkedHashMap<>();
        for (Row r : columns) {
            relations.computeIfAbsent(List.of(r.getString(0), r.getString(1)), k -> new ArrayList<>())
                    .add(new ColumnInfo(r.getString(2), r.getString(3), "YES".equalsIgnoreCase(r.getString(4)),
                            r.getString(5)));
        }
        relations.forEach((name, cols) -> {
            String definition = definitions.get(name);
            builder.relation(definition == null || definition.isBlank()
                    ? RelationInfo.table(name.get(0), name.get(1), cols)
                    : RelationInfo.view(name.get(0), name.get(1), cols, definition));
        });
        return new LoadedCatalog(builder.build(), NameResolution.mysql(database));
    }
}
