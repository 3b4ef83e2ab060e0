package dev.veil.audit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Records in a table of the control-plane PostgreSQL database, through the reactive client: one
 * transaction per batch (a multi-row insert). The table keeps the exact line, so the same verifier checks
 * it, and a few columns to search by. Several Veil instances share a table, each with its own stream.
 */
public final class PostgresAuditSink implements AuditSink {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

    private final Vertx vertx;
    private final PgConnectOptions connect;
    private final String table;
    private final String stream;
    private final Duration timeout;
    private Pool pool;

    public PostgresAuditSink(Vertx vertx, PgConnectOptions connect, String table, String stream, Duration timeout) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("veil.audit.postgres.table must be a plain (optionally schema-qualified) lower-case name: " + table);
        }
        this.vertx = vertx;
        this.connect = connect;
        this.table = table;
        this.stream = stream;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "postgres " + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase() + " table " + table;
    }

    @Override
    public Optional<Head> open() throws IOException {
        if (pool == null) {
            pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(connect).using(vertx).build();
        }
        await(pool.query("CREATE TABLE IF NOT EXISTS " + table + " (stream text NOT NULL, seq bigint NOT NULL, "
                + "time timestamptz NOT NULL, type text NOT NULL, identity text, line text NOT NULL, hash text NOT NULL, "
                + "PRIMARY KEY (stream, seq))").execute());
        RowSet<Row> last = await(pool.preparedQuery("SELECT seq, hash FROM " + table + " WHERE stream = $1 ORDER BY seq DESC LIMIT 1")
                .execute(Tuple.of(stream)));
        for (Row r : last) {
            return Optional.of(new Head(r.getLong(0), r.getString(1), "table " + table + " stream " + stream));
        }
        return Optional.empty();
    }

    @Override
    public void write(List<AuditLine> batch) throws IOException {
        List<Tuple> rows = new ArrayList<>(batch.size());
        for (AuditLine l : batch) {
            rows.add(Tuple.of(stream, l.seq(), OffsetDateTime.ofInstant(l.time(), ZoneOffset.UTC), l.type(), l.identity(),
                    l.text(), l.hash()));
        }
        String sql = "INSERT INTO " + table + " (stream, seq, time, type, identity, line, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        await(pool.withTransaction(c -> c.preparedQuery(sql).executeBatch(rows)));
    }

    private <T> T await(Future<T> f) throws IOException {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the audit table");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the control-plane database did not answer within " + timeout.toMillis() + " ms");
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }
}
