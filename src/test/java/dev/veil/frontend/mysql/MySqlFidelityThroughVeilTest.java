package dev.veil.frontend.mysql;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client learns of its own session and of its results is the same through Veil as straight from the
 * server: MariaDB's extended column metadata (JSON columns typed as JSON by MariaDB Connector/J), the TLS of its
 * own connection in the Ssl_* status (not that of Veil's link to the server), its connection id in CONNECTION_ID()
 * (the one of the handshake, which KILL takes), and a KILL at the head of a multi-statement text.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MySqlFidelityThroughVeilTest {
    private static final String JSON_QUERY = "SELECT id, doc, tag FROM veil_json ORDER BY id";

    @BeforeAll
    static void createTables() throws SQLException {
        try (Connection c = VeilTestResource.mariadb().connectAsRoot("shop"); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS veil_json");
            st.execute("CREATE TABLE veil_json (id INT PRIMARY KEY, doc JSON, tag VARCHAR(20))");
            st.execute("INSERT INTO veil_json VALUES (1, '{\"a\": 1}', 'one'), (2, '[true, null]', 'two'), (3, NULL, NULL)");
        }
    }

    // ---- MariaDB extended metadata (issue 12, defect 5) ------------------------------------------------

    @Test
    void aJsonColumnIsTypedAsJsonThroughVeilAsWhenConnectedDirectly() throws Exception {
        List<String> direct = described(MySqlDrivers.MARIADB_CONNECTOR_J.direct(""), false);
        assertThat(direct).as("the server's own description").element(1).asString().startsWith("doc JSON");
        assertThat(described(MySqlDrivers.MARIADB_CONNECTOR_J.veil(""), false)).isEqualTo(direct);
    }

    @Test
    void aJsonColumnOfAServerSidePreparedStatementIsTypedAsJsonToo() throws Exception {
        String ps = "useServerPrepStmts=true&cachePrepStmts=false";
        List<String> direct = described(MySqlDrivers.MARIADB_CONNECTOR_J.direct(ps), true);
        assertThat(direct).element(1).asString().startsWith("doc JSON");
        assertThat(described(MySqlDrivers.MARIADB_CONNECTOR_J.veil(ps), true)).isEqualTo(direct);
    }

    @Test
    void mySqlConnectorJSeesTheSameColumnsAsWhenConnectedDirectly() throws Exception {
        // MySQL Connector/J keeps CLIENT_MYSQL: it negotiates no MariaDB extension, with or without Veil.
        assertThat(described(MySqlDrivers.MYSQL_CONNECTOR_J.veil(""), false))
                .isEqualTo(described(MySqlDrivers.MYSQL_CONNECTOR_J.direct(""), false));
    }

    /** Each column as the driver describes it (label, type name, JDBC type, class), then every value by getObject. */
    private static List<String> described(Connection c, boolean prepared) throws SQLException {
        try (c; Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement(JSON_QUERY);
             ResultSet rs = prepared ? ps.executeQuery() : st.executeQuery(JSON_QUERY)) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.add(md.getColumnLabel(i) + " " + md.getColumnTypeName(i) + " " + md.getColumnType(i) + " "
                        + md.getColumnClassName(i));
            }
            while (rs.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    out.add(v == null ? "null" : v.getClass().getSimpleName() + ":" + v);
                }
            }
            return out;
        }
    }

    // ---- the client's own TLS in the session status (issue 12, defect 6) ----------------------------------

    private static final List<String> SESSION_SSL = List.of("Ssl_cipher", "Ssl_cipher_list", "Ssl_default_timeout",
            "Ssl_server_not_after", "Ssl_server_not_before", "Ssl_verify_depth", "Ssl_verify_mode", "Ssl_version");

    @Test
    void aPlainClientSeesNoTlsInItsSessionStatusThoughVeilsLinkUsesIt() throws Exception {
        // Upstream "my" is reached over TLS (verify-full); the client comes in plain, as the direct one does.
        Map<String, String> direct = sslStatus(MySqlDrivers.MARIADB_CONNECTOR_J.direct(""), "SHOW SESSION STATUS LIKE 'Ssl%'");
        assertThat(direct.get("Ssl_cipher")).isEmpty();
        assertThat(sslStatus(MySqlDrivers.MARIADB_CONNECTOR_J.veil(""), "SHOW STATUS LIKE 'Ssl%'")).isEqualTo(direct);
        assertThat(sslStatus(MySqlDrivers.MYSQL_CONNECTOR_J.veil(""), "SELECT * FROM information_schema.SESSION_STATUS"
                + " WHERE VARIABLE_NAME LIKE 'SSL\\_%'")).isEqualTo(direct);
    }

    @Test
    void theStatusIsTheClientsOwnInAServerSidePreparedStatementToo() throws Exception {
        String ps = "useServerPrepStmts=true&cachePrepStmts=false";
        String sql = "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME LIKE ?";
        assertThat(preparedSslStatus(MySqlDrivers.MARIADB_CONNECTOR_J.veil(ps), sql))
                .isEqualTo(preparedSslStatus(MySqlDrivers.MARIADB_CONNECTOR_J.direct(ps), sql));
    }

    @Test
    void aTlsClientSeesItsOwnCipherAndProtocol() throws Exception {
        // The client asks for TLS 1.2: the link from Veil to the server negotiates its own (1.3 with these servers).
        String url = "jdbc:mariadb://127.0.0.1:" + VeilTestResource.veilMySqlPort() + "/shop?sslMode=trust&enabledSslProtocolSuites=TLSv1.2";
        Map<String, String> status = sslStatus(DriverManager.getConnection(url, MySqlDrivers.props(VeilTestResource.USER,
                VeilTestResource.PASSWORD)), "SHOW STATUS LIKE 'Ssl_%'");
        assertThat(status.get("Ssl_version")).isEqualTo("TLSv1.2");
        assertThat(status.get("Ssl_cipher")).as("a TLS 1.2 suite").contains("_WITH_");
        assertThat(status.get("Ssl_server_not_after")).as("Veil's certificate, as OpenSSL prints dates").endsWith(" GMT");
    }

    /** The session-level Ssl_* variables a statement returns (name, value), by name. */
    private static Map<String, String> sslStatus(Connection c, String sql) throws SQLException {
        try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return sessionSsl(rs);
        }
    }

    private static Map<String, String> preparedSslStatus(Connection c, String sql) throws SQLException {
        try (c; PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, "Ssl%");
            try (ResultSet rs = ps.executeQuery()) {
                return sessionSsl(rs);
            }
        }
    }

    private static Map<String, String> sessionSsl(ResultSet rs) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        while (rs.next()) {
            String name = rs.getString(1);
            SESSION_SSL.stream().filter(name::equalsIgnoreCase).findFirst().ifPresent(n -> {
                try {
                    out.put(n, rs.getString(2));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(SESSION_SSL);
        return out;
    }

    // ---- CONNECTION_ID() and KILL (issue 12, defect 7) -------------------------------------------------

    @Test
    void connectionIdReturnsTheIdOfTheHandshakeHoweverItIsAsked() throws Exception {
        try (Connection c = MySqlDrivers.MARIADB_CONNECTOR_J.veil("useServerPrepStmts=true&cachePrepStmts=false");
             Statement st = c.createStatement()) {
            long handshake = ((org.mariadb.jdbc.Connection) c).getThreadId();
            try (ResultSet rs = st.executeQuery("SELECT CONNECTION_ID(), connection_id() AS cid, 1 + 1 AS two")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(handshake);
                assertThat(rs.getLong("cid")).isEqualTo(handshake);
                assertThat(rs.getLong("two")).isEqualTo(2);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT CONNECTION_ID() AS `id`, ? AS p")) {
                ps.setInt(1, 5);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong("id")).as("binary protocol").isEqualTo(handshake);
                }
            }
        }
    }

    @Test
    void killTakesTheIdConnectionIdReturned() throws Exception {
        try (Connection victim = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Statement vs = victim.createStatement();
             Connection killer = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Statement ks = killer.createStatement()) {
            long id;
            try (ResultSet rs = vs.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            CompletableFuture<Object> sleeping = sleep(vs, "SELECT SLEEP(60) AS by_id");
            MySqlThroughVeilTest.waitUntilRunning("SELECT SLEEP(60) AS by_id");
            ks.execute("KILL QUERY " + id);
            assertInterrupted(sleeping.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aKillAtTheHeadOfAMultiStatementTextRunsAndTheRestAnswers() throws Exception {
        try (Connection victim = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Statement vs = victim.createStatement();
             Connection killer = MySqlDrivers.MYSQL_CONNECTOR_J.veil("allowMultiQueries=true"); Statement ks = killer.createStatement()) {
            long id = ((org.mariadb.jdbc.Connection) victim).getThreadId();
            CompletableFuture<Object> sleeping = sleep(vs, "SELECT SLEEP(60) AS multi");
            MySqlThroughVeilTest.waitUntilRunning("SELECT SLEEP(60) AS multi");
            // What connection pools send; MySQL Connector/J checks every sequence id of the answer.
            assertThat(ks.execute("KILL QUERY " + id + "; SELECT SLEEP(0.05) AS slept")).isFalse();
            assertThat(ks.getUpdateCount()).as("the KILL's OK").isZero();
            assertThat(ks.getMoreResults()).isTrue();
            try (ResultSet rs = ks.getResultSet()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt("slept")).isZero();
            }
            assertThat(ks.getMoreResults()).isFalse();
            assertThat(ks.getUpdateCount()).isEqualTo(-1);
            assertInterrupted(sleeping.get(30, TimeUnit.SECONDS));
            try (ResultSet rs = ks.executeQuery("SELECT 'in step'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("in step");
            }
        }
    }

    private static CompletableFuture<Object> sleep(Statement st, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getInt(1);
            } catch (SQLException e) {
                return e;
            }
        });
    }

    /** SLEEP() returns 1 when interrupted on MySQL; MariaDB reports error 1317. */
    private static void assertInterrupted(Object outcome) {
        assertThat(outcome).satisfiesAnyOf(
                o -> assertThat(o).isEqualTo(1),
                o -> assertThat(o).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1317)));
    }
}
