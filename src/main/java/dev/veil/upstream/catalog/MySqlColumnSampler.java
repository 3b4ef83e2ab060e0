package dev.veil.upstream.catalog;

import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;

/**
 * Samples MySQL / MariaDB tables: {@code SELECT LEFT(CAST(col AS CHAR), 256) … FROM `db`.`table` LIMIT 200} in a
 * read-only session with a one-second metadata lock wait and a two-second statement cap (MariaDB's
 * max_statement_time or MySQL's max_execution_time; a setting the server refuses is left out, the sampler's
 * overall budget still bounds the pass).
 */
final class MySqlColumnSampler extends ColumnSampler {
    private final Vertx vertx;
    private final MySQLConnectOptions options;

    MySqlColumnSampler(Vertx vertx, MySQLConnectOptions options) {
        this.vertx = vertx;
        this.options = options;
    }

    @Override
    Future<SqlConnection> open() {
        return MySQLConnection.connect(vertx, options).compose(conn -> conn.query("SET SESSION TRANSACTION READ ONLY")
                .execute()
                .compose(ignored -> conn.query("SET SESSION lock_wait_timeout = 1").execute())
                .compose(ignored -> conn.query("SET SESSION max_statement_time = 2").execute()
                        .recover(notMariaDb -> conn.query("SET SESSION max_execution_time = 2000").execute())
                        .otherwiseEmpty())
                .<SqlConnection>map(conn).onFailure(e -> conn.close()));
    }

    @Override
    String select(RelationInfo table, List<ColumnInfo> columns) {
        return "SELECT " + selectList(columns, c -> "LEFT(CAST(" + quote(c) + " AS CHAR), " + VALUE_CHARS + ")")
                + " FROM " + quote(table.schema()) + "." + quote(table.name()) + " LIMIT " + ROWS;
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
