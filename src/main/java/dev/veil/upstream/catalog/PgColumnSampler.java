package dev.veil.upstream.catalog;

import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;

/**
 * Samples PostgreSQL tables: {@code SELECT left(col::text, 256) … FROM "schema"."table" LIMIT 200} in a read-only
 * session whose lock_timeout (a table held by DDL in progress is skipped, not waited for) and statement_timeout
 * bound each read.
 */
final class PgColumnSampler extends ColumnSampler {
    static final String SETTINGS = "SELECT pg_catalog.set_config('default_transaction_read_only', 'on', false), "
            + "pg_catalog.set_config('lock_timeout', '500ms', false), pg_catalog.set_config('statement_timeout', '2s', false)";

    private final Vertx vertx;
    private final PgConnectOptions options;

    PgColumnSampler(Vertx vertx, PgConnectOptions options) {
        this.vertx = vertx;
        this.options = options;
    }

    @Override
    Future<SqlConnection> open() {
        return PgConnection.connect(vertx, options).compose(conn -> conn.query(SETTINGS).execute()
                .<SqlConnection>map(conn).onFailure(e -> conn.close()));
    }

    @Override
    String select(RelationInfo table, List<ColumnInfo> columns) {
        return "SELECT " + selectList(columns, c -> "pg_catalog.left(" + quote(c) + "::text, " + VALUE_CHARS + ")")
                + " FROM " + quote(table.schema()) + "." + quote(table.name()) + " LIMIT " + ROWS;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
