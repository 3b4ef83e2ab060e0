package dev.veil.frontend.pg;

import dev.veil.testing.VeilTestResource;
import dev.veil.upstream.UpstreamPool;
import dev.veil.upstream.UpstreamRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Transaction pooling through Veil against the real server: upstream "txpool" has two server connections
 * shared by more sessions than that. A session holds one only while a transaction is open (or a statement
 * runs); named prepared statements follow it; session state pins it; errors, disconnects and cancels behave
 * as on a connection of one's own.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class TransactionPoolingThroughVeilTest {
    /** A guard against a hang, not a performance threshold. */
    private static final long HANG_GUARD_SECONDS = 30;
    /**
     * This class's own sleep: the server is shared with other classes, and a backend whose client went away
     * mid-sleep keeps sleeping; counting another class's sleep as this one's sent the cancel before this sleep
     * had started, and the cancel was lost.
     */
    private static final String SLEEP = "SELECT pg_sleep(59.5)";
    private static final String DB = "txpool/shop";

    @Inject
    UpstreamRegistry upstreams;

    @Inject
    MeterRegistry metrics;

    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @Test
    void manySessionsInterleaveTransactionsOnTwoServerConnections() throws Exception {
        String table = "tx_counts_" + suffix;
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (client int, n int)");
        }
        int clients = 12;
        List<Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                sessions.add(veil("")); // under session pooling the third would wait and get 53300
            }
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<Set<String>>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Connection c = sessions.get(i);
                int client = i;
                done.add(pool.submit(() -> {
                    Set<String> pids = new HashSet<>();
                    c.setAutoCommit(false);
                    for (int round = 0; round < 10; round++) {
                        try (Statement st = c.createStatement()) {
                            st.execute("INSERT INTO " + table + " VALUES (" + client + ", " + round + ")");
                            pids.add(one(st, "SELECT pg_backend_pid()"));
                            assertThat(one(st, "SELECT count(*) FROM " + table + " WHERE client = " + client))
                                    .as("its own rows, its own uncommitted one included").isEqualTo(String.valueOf(round + 1));
                            st.execute("SELECT pg_sleep(0.001)");
                            assertThat(one(st, "SELECT pg_backend_pid()")).as("the same backend for the whole transaction")
                                    .isIn(pids);
                        }
                        c.commit();
                    }
                    return pids;
                }));
            }
            Set<String> allPids = new HashSet<>();
            for (Future<Set<String>> f : done) {
                allPids.addAll(f.get(HANG_GUARD_SECONDS * 4, TimeUnit.SECONDS));
            }
            pool.shutdown();
            // Backends may be replaced when a connection moves to another event loop; never more than two at once.
            assertThat(allPids).as("server backends used by %d sessions", clients).isNotEmpty();
            assertThat(stats().total()).isLessThanOrEqualTo(2);
            try (Statement st = sessions.get(0).createStatement()) {
                assertThat(one(st, "SELECT count(*) FROM " + table)).isEqualTo(String.valueOf(clients * 10));
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    @Test
    void namedPreparedStatementsAreReparedOnWhicheverConnectionRunsTheTransaction() throws Exception {
        // prepareThreshold=1: pgjdbc names its statements (S_1, S_2…) from the first execution; binary results.
        List<Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                sessions.add(veil("prepareThreshold=1&binaryTransfer=true"));
            }
            Set<String> pids = new HashSet<>();
            for (int round = 0; round < 15; round++) {
                for (int i = 0; i < sessions.size(); i++) {
                    Connection c = sessions.get(i);
                    try (PreparedStatement ps = c.prepareStatement("SELECT ?::int * 10 + " + i + ", pg_backend_pid(), now()")) {
                        ps.setInt(1, round);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertThat(rs.getInt(1)).isEqualTo(round * 10 + i);
                            pids.add(rs.getString(2));
                        }
                    }
                }
            }
            assertThat(stats().total()).as("two server connections at most served all").isLessThanOrEqualTo(2);
            try (Statement st = sessions.get(0).createStatement()) {
                assertThat(one(st, "SELECT count(*) > 0 FROM pg_prepared_statements WHERE name LIKE 'veil\\_%'"))
                        .as("server statements under Veil's names").isEqualTo("t");
                assertThat(one(st, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'S\\_%'"))
                        .as("never under the client's").isEqualTo("0");
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    @Test
    void twoClientsUsingTheSameStatementNameEachGetTheirOwnStatement() throws Exception {
        try (Connection a = veil("prepareThreshold=1"); Connection b = veil("prepareThreshold=1")) {
            for (int round = 0; round < 10; round++) {
                // Each session's first named statement is S_1, with different texts.
                assertThat(prepared(a, "SELECT 'from a ' || ?::text", round)).isEqualTo("from a " + round);
                assertThat(prepared(b, "SELECT 'from b ' || ?::text || ' of ' || current_database()", round))
                        .isEqualTo("from b " + round + " of shop");
            }
            // A statement closed by one client stays usable by the other, whatever connection they share.
            try (PreparedStatement ps = a.prepareStatement("SELECT 'closed by a'")) {
                ps.executeQuery().close();
            }
            assertThat(prepared(b, "SELECT 'from b ' || ?::text || ' of ' || current_database()", 99)).isEqualTo("from b 99 of shop");
        }
    }

    @Test
    void sessionStatePinsTheSessionToItsConnectionAndCountsWhy() throws Exception {
        double setBefore = pins("set");
        double tempBefore = pins("temp-table");
        double lockBefore = pins("advisory-lock");
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("SET search_path TO public, pg_catalog");
            String pid = one(st, "SELECT pg_backend_pid()");
            for (int i = 0; i < 5; i++) {
                busyOtherSession();
                assertThat(one(st, "SELECT pg_backend_pid()")).as("pinned").isEqualTo(pid);
                assertThat(one(st, "SHOW search_path")).isEqualTo("public, pg_catalog");
            }
        }
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE scratch_" + suffix + " (x int)");
            st.execute("INSERT INTO scratch_" + suffix + " VALUES (1), (2)");
            busyOtherSession();
            assertThat(one(st, "SELECT count(*) FROM scratch_" + suffix)).isEqualTo("2");
        }
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(77001)");
            busyOtherSession();
            assertThat(one(st, "SELECT pg_advisory_unlock(77001)")).as("held by this session's backend").isEqualTo("t");
        }
        // A session that sets nothing is not pinned, and meets none of the state the pinned ones left.
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            for (int i = 0; i < 4; i++) {
                assertThat(one(st, "SHOW search_path")).isEqualTo("\"$user\", public");
                assertThat(one(st, "SELECT to_regclass('pg_temp.scratch_" + suffix + "')::text")).isNull();
                assertThat(one(st, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")).isEqualTo("0");
            }
        }
        assertThat(pins("set")).isEqualTo(setBefore + 1);
        assertThat(pins("temp-table")).isEqualTo(tempBefore + 1);
        assertThat(pins("advisory-lock")).isEqualTo(lockBefore + 1);
    }

    @Test
    void anErrorInsideATransactionKeepsTheConnectionUntilRollback() throws Exception {
        try (Connection a = veil(""); Statement st = a.createStatement()) {
            a.setAutoCommit(false);
            String pid = one(st, "SELECT pg_backend_pid()");
            assertThatThrownBy(() -> one(st, "SELECT 1/0")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("22012"));
            // Status 'E': the failed transaction still holds its backend; others run on the other one.
            Set<String> others = new HashSet<>();
            try (Connection b = veil(""); Statement sb = b.createStatement()) {
                for (int i = 0; i < 10; i++) {
                    others.add(one(sb, "SELECT pg_backend_pid()"));
                }
            }
            assertThat(others).doesNotContain(pid);
            assertThatThrownBy(() -> one(st, "SELECT 1")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).as("still the aborted transaction").isEqualTo("25P02"));
            a.rollback();
            assertThat(one(st, "SELECT 'usable again'")).isEqualTo("usable again");
            a.commit();
        }
    }

    @Test
    void aClientLeavingMidTransactionRollsBackAndLeavesACleanConnection() throws Exception {
        String table = "tx_left_" + suffix;
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + " (x int)");
        }
        Connection leaving = veil("");
        leaving.setAutoCommit(false);
        try (Statement st = leaving.createStatement()) {
            st.execute("INSERT INTO " + table + " VALUES (1)");
        }
        leaving.close(); // Terminate with the transaction open
        awaitTrue("both server connections idle again", () -> stats().inUse() == 0);
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            for (int i = 0; i < 4; i++) {
                assertThat(one(st, "SELECT count(*) FROM " + table)).as("rolled back").isEqualTo("0");
                assertThat(one(st, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'shop' AND pid <> pg_backend_pid()"
                        + " AND state LIKE 'idle in transaction%'")).as("no server connection left inside a transaction").isEqualTo("0");
            }
        }
    }

    @Test
    void aCancelReachesTheBackendRunningTheSessionsStatement() throws Exception {
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            int told = c.unwrap(PGConnection.class).getBackendPID();
            String real = one(st, "SELECT pg_backend_pid()");
            assertThat(String.valueOf(told)).as("BackendKeyData carries Veil's id, not a backend's").isNotEqualTo(real);
            CountDownLatch running = new CountDownLatch(1);
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> {
                try (Statement s2 = c.createStatement()) {
                    running.countDown();
                    s2.execute(SLEEP);
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            running.await();
            awaitTrue("the sleep is running on the server", () -> sleepers() == 1);
            c.unwrap(PGConnection.class).cancelQuery();
            SQLException e = sleeping.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat((Throwable) e).as("the sleep was cancelled").isNotNull();
            assertThat(e.getSQLState()).isEqualTo("57014");
            assertThat(one(st, "SELECT 'after the cancel'")).isEqualTo("after the cancel");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** Another session running transactions, so that an unpinned session would be moved to another backend. */
    private void busyOtherSession() throws SQLException {
        try (Connection o = veil(""); Statement st = o.createStatement()) {
            for (int i = 0; i < 3; i++) {
                one(st, "SELECT pg_backend_pid()");
            }
        }
    }

    private static String prepared(Connection c, String sql, int value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, String.valueOf(value));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private int sleepers() {
        try (Connection direct = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = direct.createStatement()) {
            return Integer.parseInt(one(st, "SELECT count(*) FROM pg_stat_activity WHERE query = '" + SLEEP + "' AND state = 'active'"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private double pins(String reason) {
        FunctionCounter c = metrics.find("veil.upstream.pool.pinned").tag("upstream", "txpool").tag("reason", reason).functionCounter();
        return c == null ? 0 : c.count();
    }

    private UpstreamPool.PoolStats stats() {
        return upstreams.poolStats().get("txpool/shop");
    }

    private static Connection veil(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(DB, extra), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("still waiting: " + what);
            }
            Thread.sleep(20);
        }
    }
}
