package dev.veil.policy;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * MariaDB and MySQL Connector/J through a Veil whose policy puts the test user under an affected-rows ceiling
 * of 3: text and binary protocol, autocommit and the client's transaction; errno 1142 over it, rows unchanged.
 * Works on orders 201 to 210, which it gives back their status after each test.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(RowCeilingTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class MySqlRowCeilingThroughVeilTest {
    private static String restore;

    private static Connection mariadb(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", extra), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
    }

    private static Connection mysql(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", extra), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
    }

    private static Connection auditor() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""), VeilTestResource.ADMIN_USER,
                VeilTestResource.ADMIN_PASSWORD);
    }

    private static long marked(String status) throws SQLException {
        try (Connection c = auditor(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE status = '" + status + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertRefusedOverTheCeiling(SQLException e, long rows, String as) {
        assertThat((Throwable) e).as(as).isNotNull();
        assertThat(e.getErrorCode()).as(as).isEqualTo(1142);
        assertThat(e.getSQLState()).as(as).isEqualTo("42000");
        assertThat(e.getMessage()).as(as).contains("guardrail affected-rows-ceiling: this statement changed " + rows
                + " rows, more than this role's ceiling of 3");
    }

    @BeforeEach
    void rememberTheOrdersStatus() throws Exception {
        if (restore != null) {
            return;
        }
        StringBuilder cases = new StringBuilder("UPDATE orders SET status = CASE id");
        try (Connection c = auditor(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, status FROM orders WHERE id BETWEEN 201 AND 210")) {
            while (rs.next()) {
                cases.append(" WHEN ").append(rs.getLong(1)).append(" THEN '").append(rs.getString(2)).append('\'');
            }
        }
        restore = cases.append(" END WHERE id BETWEEN 201 AND 210").toString();
    }

    @AfterEach
    void giveTheOrdersBackTheirStatus() throws Exception {
        try (Connection c = auditor(); Statement st = c.createStatement()) {
            st.executeUpdate(restore);
        }
    }

    @Test
    void withinTheCeilingTheStatementCommitsAndOverItNothingChanges() throws Exception {
        for (String mode : List.of("", "useServerPrepStmts=true")) {
            try (Connection c = mariadb(mode)) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET status = ? WHERE id BETWEEN ? AND ?")) {
                    ps.setString(1, "ceiling-a");
                    ps.setLong(2, 201);
                    ps.setLong(3, 202);
                    assertThat(ps.executeUpdate()).as(mode).isEqualTo(2);
                    assertThat(marked("ceiling-a")).as(mode + ": committed").isEqualTo(2);
                    ps.setString(1, "ceiling-b");
                    ps.setLong(3, 205);
                    assertRefusedOverTheCeiling(catchThrowableOfType(ps::executeUpdate, SQLException.class), 5, mode);
                }
                assertThat(marked("ceiling-b")).as(mode).isZero();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@in_transaction")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as(mode + ": Veil's transaction is over").isZero();
                }
            }
            giveTheOrdersBackTheirStatus();
        }
        try (Connection c = mysql(""); Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("UPDATE orders SET status = 'ceiling-m' WHERE id = 203")).isEqualTo(1);
            // matched rows count, changed or not: the value stays what it was, and five rows were reached
            assertRefusedOverTheCeiling(catchThrowableOfType(() -> st.executeUpdate(
                    "UPDATE orders SET status = status WHERE id BETWEEN 201 AND 205"), SQLException.class), 5, "MySQL Connector/J");
            assertThat(marked("ceiling-m")).isEqualTo(1);
        }
    }

    @Test
    void insideTheClientsTransactionARefusalKeepsTheWorkBeforeIt() throws Exception {
        try (Connection c = mariadb(""); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            assertThat(st.executeUpdate("UPDATE orders SET status = 'ceiling-c' WHERE id = 206")).isEqualTo(1);
            assertRefusedOverTheCeiling(catchThrowableOfType(() -> st.executeUpdate(
                    "UPDATE orders SET status = 'ceiling-d' WHERE id BETWEEN 201 AND 205"), SQLException.class), 5, "in a transaction");
            assertThat(st.executeUpdate("UPDATE orders SET status = 'ceiling-c' WHERE id = 207")).isEqualTo(1);
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE status IN ('ceiling-c', 'ceiling-d')")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
            assertThat(marked("ceiling-c")).as("not committed yet").isZero();
            c.commit();
        }
        assertThat(marked("ceiling-c")).isEqualTo(2);
        assertThat(marked("ceiling-d")).isZero();
    }
}
