package dev.veil.frontend.mysql;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MariaDB Connector/J and MySQL Connector/J through Veil behave exactly as connected straight to the server. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MySqlThroughVeilTest {

    static final String TYPES = "SELECT * FROM veil_types ORDER BY id";

    @BeforeAll
    static void createTables() throws SQLException {
        try (Connection c = VeilTestResource.mariadb().connectAsRoot("shop"); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS veil_types");
            st.execute("""
                    CREATE TABLE veil_types (id INT PRIMARY KEY, dec_v DECIMAL(20,6), dbl DOUBLE, flt FLOAT,
                      dt6 DATETIME(6), ts TIMESTAMP(3) NULL, dte DATE, tm TIME(3), bl BLOB, js JSON,
                      en ENUM('small','large'), st SET('x','y','z'), bt BIT(10), u8 TINYINT UNSIGNED,
                      u64 BIGINT UNSIGNED, i64 BIGINT, vc VARCHAR(50), ch CHAR(5), yr YEAR, txt TEXT)""");
            st.execute("""
                    INSERT INTO veil_types VALUES
                     (1, 12345678901234.123456, 2.2250738585072014e-308, 1.5, '2024-02-29 13:45:01.123456',
                      '2024-02-29 13:45:01.123', '2024-02-29', '23:59:59.999', x'deadbeef00ff', '{"a": 1, "z": [true, null]}',
                      'large', 'x,z', b'1010101010', 255, 18446744073709551615, -9223372036854775808, 'ünïcødé ✓', 'ab',
                      2024, 'long text'),
                     (2, -0.000001, -1e308, -3.25, '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000', '9999-12-31',
                      '00:00:00.001', x'', '[]', 'small', '', b'0', 0, 0, 9223372036854775807, '', '', 1901, ''),
                     (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""");
            st.execute("DROP TABLE IF EXISTS veil_tx");
            st.execute("CREATE TABLE veil_tx (id INT PRIMARY KEY, note VARCHAR(100)) ENGINE=InnoDB");
            st.execute("DROP TABLE IF EXISTS veil_blob");
            st.execute("CREATE TABLE veil_blob (id INT PRIMARY KEY, data LONGBLOB)");
        }
    }

    // ---- values --------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void textProtocolValuesMatchADirectConnection(MySqlDrivers driver) throws Exception {
        assertThat(rows(driver.veil(""), TYPES)).isEqualTo(rows(driver.direct(""), TYPES)).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void serverSidePreparedValuesMatchADirectConnection(MySqlDrivers driver) throws Exception {
        String ps = "useServerPrepStmts=true&cachePrepStmts=false";
        List<List<String>> viaVeil = preparedRows(driver.veil(ps));
        assertThat(viaVeil).isEqualTo(preparedRows(driver.direct(ps))).hasSize(2);
    }

    private static List<List<String>> preparedRows(Connection c) throws SQLException {
        try (c; PreparedStatement ps = c.prepareStatement("SELECT * FROM veil_types WHERE id >= ? ORDER BY id")) {
            ps.setInt(1, 2);
            try (ResultSet rs = ps.executeQuery()) {
                return read(rs);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void streamsAHundredThousandRows(MySqlDrivers driver) throws Exception {
        String sql = "SELECT o.id, o.amount, n.k FROM orders o CROSS JOIN (SELECT 1 k UNION ALL SELECT 2 UNION ALL SELECT 3 "
                + "UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 "
                + "UNION ALL SELECT 9 UNION ALL SELECT 10) n ORDER BY o.id, n.k";
        assertThat(digest(driver.veil(""), sql)).isEqualTo(digest(driver.direct(""), sql));
    }

    /** Row count and a digest of every value, so that a lost, repeated or altered row shows. */
    private static String digest(Connection c, String sql) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long rows = 0;
        try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                rows++;
                for (int i = 1; i <= n; i++) {
                    md.update(String.valueOf(rs.getString(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    md.update((byte) 0);
                }
            }
        }
        assertThat(rows).isEqualTo(100_000);
        return rows + ":" + HexFormat.of().formatHex(md.digest());
    }

    @Test
    void cursorFetchReadsEveryRowInPages() throws Exception {
        String params = "useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=97";
        String sql = "SELECT id, customer_id, amount, status FROM orders WHERE id > ? ORDER BY id";
        assertThat(cursorRows(MySqlDrivers.MYSQL_CONNECTOR_J.veil(params), sql))
                .isEqualTo(cursorRows(MySqlDrivers.MYSQL_CONNECTOR_J.direct(params), sql))
                .hasSize(9_990);
    }

    private static List<List<String>> cursorRows(Connection c, String sql) throws SQLException {
        try (c; PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(97);
            ps.setInt(1, 10);
            try (ResultSet rs = ps.executeQuery()) {
                return read(rs);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void multiStatementTextReturnsEveryResult(MySqlDrivers driver) throws Exception {
        try (Connection c = driver.veil("allowMultiQueries=true"); Statement st = c.createStatement()) {
            assertThat(st.execute("SELECT 1 AS a; SELECT 'two' AS b, 3 AS c; UPDATE veil_tx SET note = note WHERE id < 0")).isTrue();
            try (ResultSet rs = st.getResultSet()) {
                assertThat(read(rs)).containsExactly(List.of("1"));
            }
            assertThat(st.getMoreResults()).isTrue();
            try (ResultSet rs = st.getResultSet()) {
                assertThat(read(rs)).containsExactly(List.of("two", "3"));
            }
            assertThat(st.getMoreResults()).isFalse();
            assertThat(st.getUpdateCount()).isZero();
            // The connection is in step after the last result.
            try (ResultSet rs = st.executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }

    // ---- writes, batches, transactions, errors ----------------------------------------------------------

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void rewrittenBatchesInsertEveryRow(MySqlDrivers driver) throws Exception {
        int base = driver.ordinal() * 100_000 + 10_000;
        try (Connection c = driver.veil("rewriteBatchedStatements=true");
             PreparedStatement ps = c.prepareStatement("INSERT INTO veil_tx (id, note) VALUES (?, ?)")) {
            for (int i = 0; i < 500; i++) {
                ps.setInt(1, base + i);
                ps.setString(2, "batch " + i);
                ps.addBatch();
            }
            ps.executeBatch();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), sum(id) FROM veil_tx WHERE id BETWEEN " + base + " AND " + (base + 499))) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(500);
                assertThat(rs.getLong(2)).isEqualTo(500L * base + 499L * 500 / 2);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void transactionsCommitRollBackAndSurviveErrors(MySqlDrivers driver) throws Exception {
        int id = 900 + driver.ordinal() * 10;
        try (Connection c = driver.veil("")) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO veil_tx VALUES (" + id + ", 'rolled back')");
                c.rollback();
                st.executeUpdate("INSERT INTO veil_tx VALUES (" + (id + 1) + ", 'kept')");
                // A duplicate key inside the transaction: the server's error, untouched.
                assertThatThrownBy(() -> st.executeUpdate("INSERT INTO veil_tx VALUES (" + (id + 1) + ", 'again')"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getErrorCode()).isEqualTo(1062);
                            assertThat(e.getSQLState()).isEqualTo("23000");
                            assertThat(e.getMessage()).contains("Duplicate entry");
                        });
                c.commit();
                assertThatThrownBy(() -> st.executeQuery("SELECT * FROM no_such_table"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1146));
                c.rollback();
                try (ResultSet rs = st.executeQuery("SELECT id FROM veil_tx WHERE id IN (" + id + ", " + (id + 1) + ") ORDER BY id")) {
                    assertThat(read(rs)).containsExactly(List.of(String.valueOf(id + 1)));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void packetsOfSixteenMegabytesAndMoreAreSplitAndJoined(MySqlDrivers driver) throws Exception {
        byte[] data = new byte[20 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        int id = 1 + driver.ordinal();
        try (Connection c = driver.veil("maxAllowedPacket=134217728")) {
            try (PreparedStatement ps = c.prepareStatement("REPLACE INTO veil_blob VALUES (?, ?)")) {
                ps.setInt(1, id);
                ps.setBytes(2, data);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT data, length(data) FROM veil_blob WHERE id = " + id)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(2)).isEqualTo(data.length);
                assertThat(rs.getBytes(1)).isEqualTo(data);
            }
        }
    }

    @Test
    void loadDataLocalInfileIsRefusedAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = MySqlDrivers.MYSQL_CONNECTOR_J.veil("allowLoadLocalInfile=true"); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE veil_tx"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1148);
                        assertThat(e.getMessage()).contains("LOAD DATA LOCAL INFILE is refused by Veil");
                    });
            try (ResultSet rs = st.executeQuery("SELECT 'still here'")) {
                assertThat(read(rs)).containsExactly(List.of("still here"));
            }
        }
    }

    // ---- KILL -----------------------------------------------------------------------------------------

    @Test
    void statementCancelKillsTheRunningQuery() throws Exception {
        try (Connection c = MySqlDrivers.MYSQL_CONNECTOR_J.veil(""); Statement st = c.createStatement()) {
            CompletableFuture<Object> sleeping = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = st.executeQuery("SELECT SLEEP(60)")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    return e;
                }
            });
            waitUntilRunning("SELECT SLEEP(60)");
            st.cancel();
            // SLEEP() returns 1 when interrupted on MySQL; MariaDB reports error 1317, which Connector/J
            // turns into its "statement cancelled" exception.
            Object outcome = sleeping.get(30, TimeUnit.SECONDS);
            if (outcome instanceof SQLException e) {
                assertThat((Object) e).isInstanceOf(com.mysql.cj.jdbc.exceptions.MySQLStatementCancelledException.class);
            } else {
                assertThat(outcome).isEqualTo(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT 7")) {
                assertThat(read(rs)).containsExactly(List.of("7"));
            }
        }
    }

    @Test
    void killQueryFromAnotherConnectionReachesTheRightServerThread() throws Exception {
        try (Connection victim = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Statement st = victim.createStatement();
             Connection killer = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Statement ks = killer.createStatement()) {
            long veilId = ((org.mariadb.jdbc.Connection) victim).getThreadId();
            CompletableFuture<Object> sleeping = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = st.executeQuery("SELECT SLEEP(60) AS slept")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    return e;
                }
            });
            waitUntilRunning("SELECT SLEEP(60) AS slept");
            ks.execute("KILL QUERY " + veilId);
            Object outcome = sleeping.get(30, TimeUnit.SECONDS);
            assertThat(outcome).satisfiesAnyOf(
                    o -> assertThat(o).isEqualTo(1),
                    o -> assertThat(o).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1317)));
            // Only the query died: the victim's session goes on.
            try (ResultSet rs = st.executeQuery("SELECT 8")) {
                assertThat(read(rs)).containsExactly(List.of("8"));
            }
            assertThatThrownBy(() -> ks.execute("KILL QUERY 987654321"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1094));
        }
    }

    @Test
    void killConnectionEndsTheOtherSession() throws Exception {
        try (Connection victim = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Connection killer = MySqlDrivers.MARIADB_CONNECTOR_J.veil("")) {
            long veilId = ((org.mariadb.jdbc.Connection) victim).getThreadId();
            try (Statement ks = killer.createStatement()) {
                ks.execute("KILL CONNECTION " + veilId);
            }
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    try (Statement st = victim.createStatement()) {
                        st.executeQuery("SELECT 1").close();
                    }
                    Thread.sleep(20);
                }
            }).isInstanceOf(SQLException.class);
            try (Statement st = killer.createStatement(); ResultSet rs = st.executeQuery("SELECT 9")) {
                assertThat(read(rs)).containsExactly(List.of("9"));
            }
        }
    }

    /** Waits (bounded) until the server shows the statement running, so the kill cannot arrive before it. */
    static void waitUntilRunning(String sql) throws Exception {
        try (Connection root = VeilTestResource.mariadb().connectAsRoot("shop")) {
            for (int i = 0; i < 500; i++) {
                try (Statement st = root.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.processlist WHERE info = '" + sql.replace("'", "''") + "'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the statement never started: " + sql);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    static List<List<String>> rows(Connection c, String sql) throws SQLException {
        try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return read(rs);
        }
    }

    /** Every value as the driver decoded it (getObject), byte arrays as hex; the column labels too. */
    static List<List<String>> read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<List<String>> out = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                Object v = rs.getObject(i);
                row.add(v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v));
            }
            out.add(row);
        }
        return out;
    }
}
