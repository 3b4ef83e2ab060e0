package dev.veil.upstream;

import dev.veil.testing.VeilTestResource;
import dev.veil.upstream.catalog.CatalogRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Databases as clients see them through Veil, on both wires: a name the server does not have is refused with
 * the server's own error and leaves no pool or metric series behind; a database a session used through Veil
 * can be dropped from another session (Veil's idle pooled connections to it are closed first), after which it
 * is refused as the server refuses it.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class DatabaseLifecycleThroughVeilTest {
    /** A guard against a hang, not a performance threshold: a released connection is back within milliseconds. */
    private static final long HANG_GUARD_MILLIS = 30_000;

    @Inject
    UpstreamRegistry upstreams;

    @Inject
    MeterRegistry metrics;

    @Inject
    CatalogRegistry catalogs;

    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @Test
    void loginsToDatabasesPostgresDoesNotHaveLeaveNoPoolAndNoSeries() throws Exception {
        Set<String> pools = Set.copyOf(upstreams.poolStats().keySet());
        int series = poolSeries().size();
        for (int i = 0; i < 100; i++) {
            String name = "nope_" + suffix + "_" + i;
            assertThatThrownBy(() -> pg(name).close()).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("3D000");
                assertThat(e.getMessage()).contains("database \"" + name + "\" does not exist");
            });
        }
        assertNothingLeftOf("nope_" + suffix, pools, series);
    }

    @Test
    void loginsToSchemasMariaDbDoesNotHaveLeaveNoPoolAndNoSeries() throws Exception {
        Set<String> pools = Set.copyOf(upstreams.poolStats().keySet());
        int series = poolSeries().size();
        for (int i = 0; i < 100; i++) {
            String name = "nope_" + suffix + "_" + i;
            assertThatThrownBy(() -> maria(name).close()).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(1049);
                assertThat(e.getMessage()).contains("Unknown database '" + name + "'");
            });
        }
        assertNothingLeftOf("nope_" + suffix, pools, series);
    }

    @Test
    void aPostgresDatabaseUsedThroughVeilCanBeDroppedThroughVeil() throws Exception {
        String db = "dropme_" + suffix;
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection c = pg(db); Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT current_database()")).isEqualTo(db);
        }
        awaitTrue("the session's server connection is back in the pool", () -> idle("main/" + db) == 1);
        // Without Veil closing that idle connection first, PostgreSQL waits 5 s and refuses with 55006
        // ("database … is being accessed by other users").
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE " + db);
        }
        assertThat(upstreams.poolStats()).doesNotContainKey("main/" + db);
        // Its catalog is no longer read either (it would be retried for ever).
        assertThat(catalogs.status()).noneMatch(s -> s.database().equals(db));
        assertThatThrownBy(() -> pg(db).close()).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("3D000"));
    }

    @Test
    void aPostgresDatabaseUsedThroughVeilCanBeRenamedThroughVeil() throws Exception {
        String db = "renameme_" + suffix;
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection c = pg(db); Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT 1")).isEqualTo("1");
        }
        awaitTrue("the session's server connection is back in the pool", () -> idle("main/" + db) == 1);
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + db + " RENAME TO " + db + "_old");
            st.execute("DROP DATABASE " + db + "_old");
        }
    }

    @Test
    void aMariaDbSchemaUsedThroughVeilIsGoneForTheNextSessionOnceDroppedThroughVeil() throws Exception {
        String db = "dropme_" + suffix;
        try (Connection c = maria("shop"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection c = maria(db); Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT DATABASE()")).isEqualTo(db);
        }
        awaitTrue("the session's server connection is back in the pool", () -> idle("my/" + db) == 1);
        try (Connection c = maria("shop"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE " + db);
        }
        // MariaDB lets a schema be dropped under idle connections; a pooled one left in it would have started
        // the next session in a schema that no longer exists instead of the server's refusal.
        assertThatThrownBy(() -> maria(db).close()).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getErrorCode()).isEqualTo(1049);
            assertThat(e.getMessage()).contains("Unknown database '" + db + "'");
        });
    }

    /** No pool and no series of the made-up names; other pools may only have ended meanwhile (idle-pool-timeout). */
    private void assertNothingLeftOf(String prefix, Set<String> poolsBefore, int seriesBefore) throws Exception {
        awaitTrue("no pool of " + prefix + "…", () -> upstreams.poolStats().keySet().stream().noneMatch(k -> k.contains(prefix)));
        assertThat(new HashSet<>(upstreams.poolStats().keySet())).isSubsetOf(poolsBefore);
        List<Meter> series = poolSeries();
        assertThat(series).noneMatch(m -> String.valueOf(m.getId().getTag("database")).startsWith(prefix));
        assertThat(series.size()).isLessThanOrEqualTo(seriesBefore);
    }

    private List<Meter> poolSeries() {
        return metrics.getMeters().stream().filter(m -> m.getId().getName().startsWith("veil.upstream.pool")).toList();
    }

    private int idle(String pool) {
        UpstreamPool.PoolStats s = upstreams.poolStats().get(pool);
        return s == null ? 0 : s.idle();
    }

    private static Connection pg(String database) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(database, ""), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private static Connection maria(String database) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilMariadbUrl(database, ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANG_GUARD_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("still waiting: " + what);
            }
            Thread.sleep(20);
        }
    }
}
