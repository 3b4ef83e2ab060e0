package dev.veil.frontend.pg;

import dev.veil.testing.UpstreamProvisioner;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pooled server connections: reset between sessions, bounded waits, failures, upstream authentication. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class PgSessionPoolTest {

    static Connection veil(String database) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(database, ""), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void noSessionStateLeaksIntoTheNextSessionOnTheSameServerConnection() throws Exception {
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            try (Connection c = veil("shop"); Statement st = c.createStatement()) {
                pids.add(Integer.parseInt(one(st, "SELECT pg_backend_pid()")));
                // Whatever the previous session left behind must be gone.
                assertThat(one(st, "SELECT current_setting('veil.leak', true)")).as("custom setting").isNullOrEmpty();
                assertThat(one(st, "SELECT setting = reset_val FROM pg_settings WHERE name = 'work_mem'")).as("work_mem").isEqualTo("t");
                assertThat(one(st, "SELECT to_regclass('pg_temp.leak_t')::text")).as("temp table").isNull();
                assertThat(one(st, "SELECT count(*) FROM pg_prepared_statements")).as("prepared statements").isEqualTo("0");
                assertThat(one(st, "SELECT count(*) FROM pg_listening_channels()")).as("LISTEN").isEqualTo("0");
                assertThat(one(st, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")).as("advisory locks").isEqualTo("0");
                assertThat(one(st, "SELECT current_setting('transaction_isolation')")).isEqualTo("read committed");
                // Now leave a mess, including an open transaction.
                st.execute("SET veil.leak = 'from session " + i + "'");
                st.execute("SET work_mem = '7MB'");
                st.execute("CREATE TEMP TABLE leak_t (x int)");
                st.execute("PREPARE leak_p AS SELECT 1");
                st.execute("LISTEN leak_channel");
                st.execute("SELECT pg_advisory_lock(4242)");
                c.setAutoCommit(false);
                st.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
                st.execute("INSERT INTO leak_t VALUES (1)");
            }
        }
        Set<Integer> distinct = new HashSet<>(pids);
        assertThat(distinct.size()).as("server connections were reused: " + pids).isLessThan(pids.size());
    }

    @Test
    void exhaustedPoolAnswers53300AfterTheBoundedWait() throws Exception {
        try (Connection holder = veil("tiny/shop"); Statement st = holder.createStatement()) {
            assertThat(one(st, "SELECT 'holding the only connection'")).isNotNull();
            assertThatThrownBy(() -> veil("tiny/shop").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("53300");
                        assertThat(e.getMessage()).contains("tiny").contains("1 connections");
                    });
        }
        try (Connection again = veil("tiny/shop"); Statement st = again.createStatement()) {
            assertThat(one(st, "SELECT 'free again'")).isEqualTo("free again");
        }
    }

    @Test
    void upstreamLostMidSessionGives08006AndNewSessionsRecover() throws Exception {
        var proxy = VeilTestResource.flakyProxy();
        try (Connection c = veil("flaky/shop"); Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT 'before'")).isEqualTo("before");
            proxy.cut();
            // Said as what happened to an established connection, not as a connection that "failed". Whether the
            // reset reaches Veil as a reset or only as the end of the stream depends on the kernel's timing.
            assertThatThrownBy(() -> one(st, "SELECT 'after'"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08006"))
                    .hasMessageMatching("(?s).*upstream \"flaky\" (reset|closed) the established connection.*")
                    .hasMessageNotContaining("connection to upstream");
            assertThatThrownBy(() -> veil("flaky/shop").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"));
        } finally {
            proxy.heal();
        }
        try (Connection c = veil("flaky/shop"); Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT 'recovered'")).isEqualTo("recovered");
        }
    }

    @Test
    void authenticatesToServersWithScramOverVerifiedTlsAndWithMd5() throws Exception {
        try (Connection c = veil("shop"); Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT current_user")).isEqualTo(UpstreamProvisioner.SCRAM_USER);
            assertThat(one(st, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("true");
        }
        try (Connection c = veil("md5/shop"); Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT current_user")).isEqualTo(UpstreamProvisioner.MD5_USER);
            assertThat(one(st, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("false");
        }
    }

    @Test
    void clientTlsIsOfferedAndWorks() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort()
                + "/shop?sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory";
        try (Connection c = DriverManager.getConnection(url, VeilTestResource.USER, VeilTestResource.PASSWORD);
             Statement st = c.createStatement()) {
            assertThat(one(st, "SELECT count(*) FROM customers")).isEqualTo("1000");
        }
    }

    @Test
    void refusalsCarryTheRightSqlState() {
        assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER, "wrong").close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), "nobody", "whatever").close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        assertThatThrownBy(() -> veil("nosuchupstream/shop").close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("3D000");
                    assertThat(e.getMessage()).contains("nosuchupstream");
                });
        // The server's own refusal is relayed: the database does not exist there.
        assertThatThrownBy(() -> veil("no_such_database").close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("3D000");
                    assertThat(e.getMessage()).contains("database \"no_such_database\" does not exist");
                });
    }
}
