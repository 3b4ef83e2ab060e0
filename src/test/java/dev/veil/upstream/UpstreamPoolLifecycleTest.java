package dev.veil.upstream;

import dev.veil.config.ConfigValidation;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoPostgres;
import dev.veil.testing.TestConfig;
import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.CatalogStatus;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Pools come and go with the databases clients really use, against a real PostgreSQL: the embedded server
 * of the demo, which trusts its superuser on loopback, so Veil logs in without a password (its configured
 * password file is empty). The upstream's configured database is {@code postgres}; {@code shop} is a
 * database a client names, whose pool may end.
 */
@Tag("servers")
class UpstreamPoolLifecycleTest {
    /** A guard against a hang, not a performance threshold: each wait ends within a few maintenance runs. */
    private static final long HANG_GUARD_MILLIS = 30_000;
    private static final List<String> POOL_SERIES = List.of("veil.upstream.pool.size", "veil.upstream.pool.in.use",
            "veil.upstream.pool.idle", "veil.upstream.pool.pending", "veil.upstream.pool.waits", "veil.upstream.pool.errors");
    private static final List<String> CATALOG_SERIES = List.of("veil.catalog.stale", "veil.catalog.age");

    private static DemoPostgres postgres;
    private static Vertx vertx;
    private static Context loop;

    @TempDir
    Path dir;

    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private VeilConfig config;
    private UpstreamRegistry registry;

    @BeforeAll
    static void startServer() throws Exception {
        postgres = DemoPostgres.start(0);
        vertx = Vertx.vertx();
        loop = vertx.getOrCreateContext();
    }

    @AfterAll
    static void stopServer() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        postgres.close();
    }

    @BeforeEach
    void configure() throws Exception {
        Path emptyPassword = Files.writeString(dir.resolve("password"), "\n");
        config = TestConfig.veil(Map.of(
                "veil.upstreams.trusting.host", postgres.host(),
                "veil.upstreams.trusting.port", String.valueOf(postgres.port()),
                "veil.upstreams.trusting.user", postgres.user(),
                "veil.upstreams.trusting.password-file", emptyPassword.toString(),
                "veil.upstreams.trusting.tls.mode", "disable",
                "veil.upstreams.trusting.pool.idle-pool-timeout", "200ms",
                "veil.upstreams.trusting.pool.maintenance-interval", "50ms"));
    }

    @AfterEach
    void shutdown() {
        if (registry != null) {
            registry.shutdown();
        }
    }

    @Test
    void aServerThatTrustsVeilOnLoopbackIsFrontedWithAnEmptyPassword() throws Exception {
        assertThat(ConfigValidation.problems(config, Map.of())).isEmpty();
        registry = new UpstreamRegistry(vertx, config, metrics);
        assertThat(registry.find("trusting").orElseThrow().password()).isNull();
        UpstreamPool<PgServerConnection> pool = pool("shop");
        PgServerConnection conn = onLoop(pool::acquire);
        assertThat(onLoop(() -> conn.execute("SELECT count(*) FROM customers")).error()).isNull();
        onLoop(() -> {
            pool.release(conn);
            return Future.succeededFuture();
        });
    }

    @Test
    void connectionsToDatabasesTheServerDoesNotHaveLeaveNoPoolAndNoMetricSeries() throws Exception {
        registry = new UpstreamRegistry(vertx, config, metrics);
        lease("postgres"); // the configured database's pool, which stays: the registry is not simply empty
        int pools = registry.poolCount();
        Set<Meter.Id> series = meterIds();
        assertThat(series).isNotEmpty();

        // Many different names at once, and many clients at once for one name (more than max-size: some wait).
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            names.add("missing_" + i);
            names.add("missing_all");
        }
        List<Future<PgServerConnection>> attempts = new ArrayList<>();
        Promise<Void> started = Promise.promise();
        loop.runOnContext(v -> {
            names.forEach(n -> attempts.add(registry.pool(registry.find("trusting").orElseThrow(), n).acquire()));
            started.complete();
        });
        await(started.future());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            try {
                await(attempts.get(i));
                fail("a connection to " + name + " was opened");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOfSatisfying(UpstreamException.class, u -> {
                    // The server's own error, which the client gets untouched.
                    assertThat(u.serverError().sqlState()).isEqualTo("3D000");
                    assertThat(u.serverError().message()).isEqualTo("database \"" + name + "\" does not exist");
                });
            }
        }
        awaitTrue("the pools of the missing databases are gone", () -> registry.poolCount() == pools);
        assertThat(meterIds()).isEqualTo(series);
        assertThat(registry.poolStats()).containsOnlyKeys("trusting/postgres");
    }

    @Test
    void anIdlePoolIsRemovedWithItsConnectionsAndSeriesAfterItsTimeoutAndOpenedAgainOnDemand() throws Exception {
        registry = new UpstreamRegistry(vertx, config, metrics);
        CatalogRegistry catalogs = new CatalogRegistry(vertx, config, metrics, registry);
        UpstreamPool<PgServerConnection> shop = pool("shop");
        PgServerConnection leased = onLoop(shop::acquire); // a pool in use is never removed
        await(catalogs.catalog(registry.find("trusting").orElseThrow(), "shop")); // as its session's statements do
        lease("postgres");
        assertThat(registry.poolStats()).containsOnlyKeys("trusting/shop", "trusting/postgres");
        assertThat(seriesOf("shop")).extracting(m -> m.getId().getName())
                .containsExactlyInAnyOrderElementsOf(Stream.concat(POOL_SERIES.stream(), CATALOG_SERIES.stream()).toList());
        assertThat(catalogs.status()).extracting(CatalogStatus::database).containsExactly("shop");
        onLoop(() -> {
            shop.release(leased);
            return Future.succeededFuture();
        });

        awaitTrue("the idle pool of shop is removed", () -> !registry.poolStats().containsKey("trusting/shop"));
        // Its series go, and its catalog is no longer read: no session uses the database. The pool leaves the map
        // first; its meters and catalog go right after, on the event loop that removed it.
        awaitTrue("the series of shop are removed", () -> seriesOf("shop").isEmpty());
        awaitTrue("the catalog of shop is forgotten", () -> catalogs.status().isEmpty());
        // The upstream's configured database keeps its pool, idle or not.
        assertThat(registry.poolStats()).containsOnlyKeys("trusting/postgres");
        awaitTrue("the server connection to shop is closed", () -> serverSessionsIn("shop") == 0);

        PgServerConnection again = onLoop(pool("shop")::acquire);
        assertThat(onLoop(() -> again.execute("SELECT 1")).error()).isNull();
        assertThat(registry.poolStats()).containsKey("trusting/shop");
        assertThat(seriesOf("shop")).extracting(m -> m.getId().getName()).containsExactlyInAnyOrderElementsOf(POOL_SERIES);
    }

    /** Leases a connection to {@code database}, runs a query on it and gives it back. */
    private void lease(String database) throws Exception {
        UpstreamPool<PgServerConnection> pool = pool(database);
        PgServerConnection conn = onLoop(pool::acquire);
        assertThat(onLoop(() -> conn.execute("SELECT 1")).error()).isNull();
        onLoop(() -> {
            pool.release(conn);
            return Future.succeededFuture();
        });
        awaitTrue("the connection is back in the pool", () -> pool.stats().idle() == 1);
    }

    private UpstreamPool<PgServerConnection> pool(String database) {
        return registry.pool(registry.find("trusting").orElseThrow(), database);
    }

    private Set<Meter.Id> meterIds() {
        return metrics.getMeters().stream().map(Meter::getId).collect(Collectors.toSet());
    }

    private List<Meter> seriesOf(String database) {
        return metrics.getMeters().stream().filter(m -> database.equals(m.getId().getTag("database"))).toList();
    }

    private static int serverSessionsIn(String database) {
        try (Connection c = postgres.connect("postgres"); Statement st = c.createStatement();
             ResultSet rows = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database + "'")) {
            rows.next();
            return rows.getInt(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T onLoop(Supplier<Future<T>> work) throws Exception {
        Promise<T> done = Promise.promise();
        loop.runOnContext(v -> work.get().onComplete(done));
        return await(done.future());
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS);
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
