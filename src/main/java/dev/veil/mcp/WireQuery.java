package dev.veil.mcp;

import dev.veil.config.EndpointTlsMode;
import dev.veil.config.McpSettings;
import dev.veil.config.PgClientTls;
import dev.veil.config.VeilConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collector;

/**
 * One statement of an MCP tool, run as a client of Veil's own PostgreSQL listener on loopback, logged in with
 * the caller's own secret: the statement goes through the very pipeline every wire client's does (analysis,
 * the built-in rules and the policy, masking, the audit trail), with nothing MCP-specific to keep in step. The
 * session is marked {@code application_name = veil-mcp:<tool>} (recorded with its session.started) and starts
 * with {@code statement_timeout} and {@code default_transaction_read_only} set on the database session, a second
 * wall behind the policy's read-only check.
 */
final class WireQuery {
    /**
     * The result of the last statement of the text, cut at the row and byte caps; {@code affected}: the count its
     * command reported (rows changed by an INSERT, UPDATE or DELETE).
     */
    record Result(List<String> columns, List<List<Object>> rows, boolean truncated, int rowCount, int affected) {
    }

    private final Vertx vertx;
    private final McpSettings settings;
    private final String host;
    private final int port;

    WireQuery(Vertx vertx, VeilConfig config) {
        this.vertx = vertx;
        this.settings = config.mcp();
        String h = config.pg().host();
        this.host = h.isBlank() || h.equals("0.0.0.0") || h.equals("::") ? "127.0.0.1" : h;
        this.port = config.pg().port();
    }

    /** A read: the session starts read-only, whoever calls (an agent allowed to write included). */
    Future<Result> run(McpCaller caller, String database, String tool, String sql) {
        return run(caller, database, tool, sql, true);
    }

    /**
     * {@code readOnly} false only for an agent's approved change (get_change_result): its session is the one
     * place where the pipeline runs nothing but statements with an approval in force.
     */
    Future<Result> run(McpCaller caller, String database, String tool, String sql, boolean readOnly) {
        long timeoutMillis = settings.queryTimeout().toMillis();
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("application_name", McpEndpoint.APPLICATION_PREFIX + tool);
        startup.put("statement_timeout", String.valueOf(timeoutMillis));
        if (readOnly) {
            startup.put("default_transaction_read_only", "on");
        }
        PgConnectOptions options = new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
                .setUser(caller.wireUser()).setPassword(caller.secret()).setProperties(startup);
        options.setConnectTimeout(10_000);
        // Veil's own listener on loopback: encrypted when it has a certificate (the secret is a bearer token),
        // and its certificate is Veil's own, so there is nothing to verify it against.
        PgClientTls.apply(options, EndpointTlsMode.PREFER, null);
        return PgConnection.connect(vertx, options).compose(conn -> {
            // statement_timeout bounds the statement on the server; this bounds everything else (a stalled relay).
            long timer = vertx.setTimer(timeoutMillis + 5_000, t -> conn.close());
            return conn.query(sql).collecting(new Capped(settings.maxRows(), settings.maxBytes())).execute()
                    .map(WireQuery::last)
                    .eventually(() -> {
                        vertx.cancelTimer(timer);
                        return conn.close();
                    });
        });
    }

    private static Result last(SqlResult<Capped.Rows> first) {
        SqlResult<Capped.Rows> r = first;
        while (r.next() != null) {
            r = r.next();
        }
        Capped.Rows rows = r.value();
        return new Result(r.columnsNames() == null ? List.of() : r.columnsNames(), rows.rows, rows.truncated, rows.count,
                r.rowCount());
    }

    /** Keeps the first rows within the caps and counts the rest (the server still sends them; memory stays bounded). */
    private record Capped(int maxRows, int maxBytes) implements Collector<Row, Capped.Rows, Capped.Rows> {
        static final class Rows {
            final List<List<Object>> rows = new ArrayList<>();
            int count;
            long bytes;
            boolean truncated;
        }

        @Override
        public Supplier<Rows> supplier() {
            return Rows::new;
        }

        @Override
        public BiConsumer<Rows, Row> accumulator() {
            return (acc, row) -> {
                acc.count++;
                if (acc.truncated) {
                    return;
                }
                List<Object> values = new ArrayList<>(row.size());
                long size = 0;
                for (int i = 0; i < row.size(); i++) {
                    Object v = plain(row.getValue(i));
                    size += v == null ? 4 : v.toString().length();
                    values.add(v);
                }
                if (acc.rows.size() >= maxRows || acc.bytes + size > maxBytes) {
                    acc.truncated = true;
                    return;
                }
                acc.bytes += size;
                acc.rows.add(values);
            };
        }

        @Override
        public BinaryOperator<Rows> combiner() {
            return (a, b) -> a;
        }

        @Override
        public Function<Rows, Rows> finisher() {
            return Function.identity();
        }

        @Override
        public Set<Characteristics> characteristics() {
            return Set.of(Characteristics.IDENTITY_FINISH);
        }

        /** JSON numbers and booleans as they are; everything else as its text. */
        private static Object plain(Object v) {
            if (v == null || v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short
                    || v instanceof String) {
                return v;
            }
            return v.toString();
        }
    }
}
