package dev.veil.session;

import dev.veil.testing.VeilTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The catalog refresh never holds statements up: not when the session that ran DDL still holds its locks
 * (the refresh used to wait for them on another connection, and every statement of the database for the
 * refresh), nor when a lock is held outside Veil. Each test uses its own table and view, owned by the
 * upstream login of "main", so the shared shop tables are never locked.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class CatalogNeverBlocksTest {
    /** A guard against a hang, not a performance threshold: the statements take milliseconds. */
    private static final long HANG_GUARD_SECONDS = 30;

    @TestHTTPResource("/api/v1/analyze")
    URI analyze;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    @Inject
    MeterRegistry metrics;

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Connection> connections = new ArrayList<>();
    private String table;
    private String view;

    @BeforeEach
    void tableAndView() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        table = "lockt_" + suffix;
        view = "lockv_" + suffix;
        try (Connection c = veil(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (id int, name text)");
            // pg_get_viewdef locks the relations a view reads: the catalog load waits for locks on the table.
            st.execute("CREATE VIEW " + view + " AS SELECT id, name FROM " + table);
            st.executeQuery("SELECT id FROM " + view).close();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        // Whatever a failed test left behind: its sessions, and the upstream backends holding locks on the table.
        for (Connection c : connections) {
            c.abort(executor);
        }
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.pid <> pg_backend_pid() AND l.relation IN ('"
                    + table + "'::regclass, '" + view + "'::regclass)");
            st.execute("DROP TABLE IF EXISTS " + table + "_2");
            st.execute("DROP VIEW IF EXISTS " + view);
            st.execute("DROP TABLE IF EXISTS " + table);
        }
        executor.shutdownNow();
    }

    @Tag("faults")
    @Test
    void ddlInAnOpenTransactionFreezesNeitherItsSessionNorTheDatabase() throws Exception {
        Connection ddl = open();
        ddl.setAutoCommit(false);
        Statement st = ddl.createStatement();
        guarded("ALTER TABLE in a transaction", () -> st.execute("ALTER TABLE " + table + " ADD COLUMN note text"));
        guarded("SELECT 1 after the ALTER, in its transaction", () -> scalar(st, "SELECT 1"));

        // The ALTER's lock is still held: a new session to the same database runs statements.
        Connection other = open();
        assertThat(guarded("a new session's statement while the lock is held",
                () -> scalar(other.createStatement(), "SELECT count(*) FROM customers"))).isNotNull();

        guarded("ROLLBACK", () -> {
            ddl.rollback();
            return null;
        });
        assertThat(guarded("the table after ROLLBACK", () -> scalar(st, "SELECT count(*) FROM " + table))).isEqualTo("0");
    }

    @Tag("faults")
    @Test
    void aLockHeldOutsideVeilDoesNotBlockStatementsAndShowsAsStale() throws Exception {
        try (Connection outside = VeilTestResource.server().connectAsSuperuser("shop")) {
            outside.setAutoCommit(false);
            outside.createStatement().execute("LOCK TABLE " + view + " IN ACCESS EXCLUSIVE MODE");

            // DDL through Veil: the catalog must be read again, and that read cannot get the view's lock.
            Connection c = open();
            Statement st = c.createStatement();
            guarded("CREATE TABLE through Veil", () -> st.execute("CREATE TABLE " + table + "_2 (id int)"));
            try {
                assertThat(guarded("the next statement", () -> scalar(st, "SELECT count(*) FROM customers"))).isNotNull();
                assertThat(guarded("a new session's statement",
                        () -> scalar(open().createStatement(), "SELECT 1"))).isEqualTo("1");

                assertThat(staleGauge()).as("veil.catalog.stale of main/shop while the lock is held").isEqualTo(1.0);
                String health = get(ready);
                assertThat(health).contains("\"status\": \"UP\"").contains("veil-catalogs").contains("catalog.main/shop")
                        .containsPattern("catalog\\.main/shop\"\\s*:\\s*\"stale");
            } finally {
                outside.rollback();
                guarded("DROP TABLE through Veil", () -> st.execute("DROP TABLE " + table + "_2"));
            }
        }
        // The lock is gone: the background retry (or the DROP's refresh) reads the catalog again.
        awaitTrue("main/shop no longer stale", () -> staleGauge() == 0.0);
    }

    @Test
    void aColumnAddedInACommittedTransactionBecomesKnown() throws Exception {
        Connection ddl = open();
        ddl.setAutoCommit(false);
        Statement st = ddl.createStatement();
        guarded("ALTER TABLE in a transaction", () -> st.execute("ALTER TABLE " + table + " ADD COLUMN secret text"));
        guarded("SELECT 1 in the transaction", () -> scalar(st, "SELECT 1"));
        guarded("COMMIT", () -> {
            ddl.commit();
            return null;
        });
        String body = "{\"dialect\": \"postgresql\", \"database\": \"main/shop\", \"sql\": \"SELECT secret FROM " + table + "\"}";
        awaitTrue("the new column in the analysis", () -> {
            String analysis = post(analyze, body);
            return analysis.contains("\"lineage\":\"known\"") && analysis.contains("." + table + ".secret\"");
        });
    }

    private Connection veil() throws Exception {
        return DriverManager.getConnection(VeilTestResource.veilUrl("main/shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private Connection open() throws Exception {
        Connection c = guarded("connecting through Veil", this::veil);
        connections.add(c);
        return c;
    }

    private <T> T guarded(String what, Callable<T> step) throws Exception {
        Future<T> f = executor.submit(step);
        try {
            return f.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return fail(what + " did not complete within " + HANG_GUARD_SECONDS + " s: it hangs");
        }
    }

    private static String scalar(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private double staleGauge() {
        var gauge = metrics.find("veil.catalog.stale").tags("upstream", "main", "database", "shop").gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    private static void awaitTrue(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not seen within " + HANG_GUARD_SECONDS + " s");
            }
            Thread.sleep(100);
        }
    }

    private static String get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).header("Authorization", VeilTestResource.adminAuthorization())
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String post(URI uri, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (VeilTestResource.ADMIN_USER + ":" + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(HANG_GUARD_SECONDS))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body();
    }
}
