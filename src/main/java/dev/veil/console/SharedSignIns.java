package dev.veil.console;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Console sign-ins in a table of the control-plane PostgreSQL (through the reactive client), so that every Veil
 * instance on that database honours a sign-in made on another, a restart keeps them, and a sign-out or an idle
 * timeout ends them everywhere. A row holds the SHA-256 of the cookie token, never the token: whoever reads the
 * table cannot sign in with it. There is no cache: each console request reads its row (a primary-key lookup), so a
 * sign-out counts on every instance from the next request on; last-seen is written at most once per
 * {@link SignInStore#TOUCH}. All times come from Veil's clock, not the database's.
 */
final class SharedSignIns implements SignInStore {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    /** How long a page waits for the database before it says the sign-in cannot be checked. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** Ended or idle rows are deleted this long after, so the table does not grow without end. */
    private static final Duration KEEP = Duration.ofDays(1);
    private static final String COLUMNS = "name, roles, access, via, csrf, id_token, created, last_seen, ended";

    private final Pool pool;
    private final String table;
    private final String where;
    private Future<Void> ready;

    SharedSignIns(Pool pool, String table, String where) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("veil.console.signins-table must be a plain (optionally schema-qualified) "
                    + "lower-case name: " + table);
        }
        this.pool = pool;
        this.table = table;
        this.where = where;
    }

    /** Creates the table if missing (every instance may: IF NOT EXISTS), once; tried again after a failure. */
    private synchronized Future<Void> ready() {
        if (ready == null || ready.failed()) {
            ready = pool.query("CREATE TABLE IF NOT EXISTS " + table + " (token_sha256 bytea PRIMARY KEY, "
                    + "name text NOT NULL, roles text[] NOT NULL, access text NOT NULL, via text NOT NULL, "
                    + "csrf text NOT NULL, id_token bytea, created timestamptz NOT NULL, "
                    + "last_seen timestamptz NOT NULL, ended timestamptz)").execute().mapEmpty();
        }
        return ready;
    }

    @Override
    public void open(SignIn s) {
        ConsoleUser u = s.user();
        await(ready().compose(v -> pool.preparedQuery("DELETE FROM " + table + " WHERE coalesce(ended, last_seen) < $1")
                        .execute(Tuple.of(time(s.created().minus(KEEP)))))
                .compose(r -> pool.preparedQuery("INSERT INTO " + table + " (token_sha256, " + COLUMNS
                                + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)")
                        .execute(Tuple.tuple(Arrays.asList(Buffer.buffer(s.tokenHash()), u.name(),
                                u.roles().toArray(new String[0]), u.access().name(), u.via(), u.csrf(),
                                s.sealedIdToken() == null ? null : Buffer.buffer(s.sealedIdToken()),
                                time(s.created()), time(s.lastSeen()))))));
    }

    @Override
    public Optional<SignIn> find(byte[] tokenHash, Instant now, Duration idle) {
        Buffer key = Buffer.buffer(tokenHash);
        RowSet<Row> rows = await(ready().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table
                + " WHERE token_sha256 = $1").execute(Tuple.of(key))));
        if (rows.size() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        if (row.getOffsetDateTime("ended") != null) {
            return Optional.empty();
        }
        SignIn s = signIn(tokenHash, row);
        if (!now.isBefore(s.lastSeen().plus(idle))) {
            // Ended for good: an instance with a clock a little behind must not revive it.
            await(pool.preparedQuery("UPDATE " + table + " SET ended = $2 WHERE token_sha256 = $1 AND ended IS NULL")
                    .execute(Tuple.of(key, time(now))));
            return Optional.empty();
        }
        if (!now.isBefore(s.lastSeen().plus(TOUCH))) {
            await(pool.preparedQuery("UPDATE " + table + " SET last_seen = $2 WHERE token_sha256 = $1 AND ended IS NULL "
                    + "AND last_seen < $2").execute(Tuple.of(key, time(now))));
            s = new SignIn(s.tokenHash(), s.user(), s.sealedIdToken(), s.created(), now);
        }
        return Optional.of(s);
    }

    @Override
    public Optional<SignIn> close(byte[] tokenHash, Instant now) {
        RowSet<Row> rows = await(ready().compose(v -> pool.preparedQuery("UPDATE " + table + " SET ended = $2 "
                + "WHERE token_sha256 = $1 AND ended IS NULL RETURNING " + COLUMNS)
                .execute(Tuple.of(Buffer.buffer(tokenHash), time(now)))));
        return rows.size() == 0 ? Optional.empty() : Optional.of(signIn(tokenHash, rows.iterator().next()));
    }

    private static SignIn signIn(byte[] tokenHash, Row row) {
        List<String> roles = Arrays.asList(row.getArrayOfStrings("roles"));
        Buffer idToken = row.getBuffer("id_token");
        ConsoleUser u = new ConsoleUser(row.getString("name"), roles, ConsoleAccess.valueOf(row.getString("access")),
                row.getString("via"), row.getString("csrf"));
        return new SignIn(tokenHash, u, idToken == null ? null : idToken.getBytes(),
                row.getOffsetDateTime("created").toInstant(), row.getOffsetDateTime("last_seen").toInstant());
    }

    /**
     * Waits for the database on this worker thread, at most {@link #WAIT}. Any failure means the sign-in cannot be
     * checked, and the console fails closed: not signed in.
     */
    private <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("no answer within " + WAIT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted", e);
        }
    }

    private SignInsUnavailable unavailable(String why, Throwable cause) {
        return new SignInsUnavailable("Console sign-ins cannot be checked: the control-plane database (" + where
                + ", table " + table + ") is unreachable (" + why + "). Try again shortly; an administrator should "
                + "check that database.", cause);
    }

    private static OffsetDateTime time(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    void close() {
        pool.close();
    }
}
