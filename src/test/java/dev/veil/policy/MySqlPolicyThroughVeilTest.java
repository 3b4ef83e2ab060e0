package dev.veil.policy;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
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

/** MariaDB and MySQL Connector/J through a Veil with a policy file: errno 1142, SQLSTATE 42000, the rule named. */
@Tag("servers")
@QuarkusTest
@TestProfile(PolicyTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class MySqlPolicyThroughVeilTest {
    private static final String DELETE = "DELETE FROM orders WHERE id = -1";
    private static final String MESSAGE =
            "policy rule orders-never-deleted: orders are never deleted; set their status to 'cancelled' instead";

    private static Connection mariadb(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", extra), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
    }

    private static Connection mysql(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", extra), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
    }

    private static SQLException refused(Statement st, String sql) {
        SQLException e = catchThrowableOfType(() -> st.execute(sql), SQLException.class);
        assertThat((Throwable) e).as("refused: " + sql).isNotNull();
        return e;
    }

    private static void assertPolicyRefusal(SQLException e, String as) {
        assertThat(e.getErrorCode()).as(as).isEqualTo(1142);
        assertThat(e.getSQLState()).as(as).isEqualTo("42000");
        assertThat(e.getMessage()).as(as).contains(MESSAGE);
    }

    private static long count(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aDeniedStatementGets1142NamingTheRuleAndTheSessionGoesOn() throws Exception {
        for (String mode : List.of("", "useServerPrepStmts=true")) {
            try (Connection c = mariadb(mode); Statement st = c.createStatement()) {
                assertPolicyRefusal(refused(st, DELETE), "MariaDB Connector/J " + mode);
                assertThat(count(st)).isPositive();
            }
        }
        try (Connection c = mysql(""); Statement st = c.createStatement()) {
            assertPolicyRefusal(refused(st, DELETE), "MySQL Connector/J");
            assertThat(count(st)).isPositive();
        }
    }

    @Test
    void aDeniedPreparedStatementIsRefusedAndTheConnectionGoesOn() throws Exception {
        try (Connection c = mariadb("useServerPrepStmts=true")) {
            SQLException e = catchThrowableOfType(() -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM orders WHERE id = ?")) {
                    ps.setLong(1, -1);
                    ps.executeUpdate();
                }
            }, SQLException.class);
            assertThat((Throwable) e).isNotNull();
            assertPolicyRefusal(e, "COM_STMT_PREPARE / EXECUTE");
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM orders WHERE id > ?")) {
                ps.setLong(1, -1);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).isPositive();
                }
            }
        }
    }

    @Test
    void aRefusalInsideATransactionLeavesTheTransactionUsable() throws Exception {
        try (Connection c = mariadb(""); Statement st = c.createStatement()) {
            long id;
            String status;
            try (ResultSet rs = st.executeQuery("SELECT id, status FROM orders ORDER BY id LIMIT 1")) {
                rs.next();
                id = rs.getLong(1);
                status = rs.getString(2);
            }
            c.setAutoCommit(false);
            assertThat(st.executeUpdate("UPDATE orders SET status = 'policy-test' WHERE id = " + id)).isEqualTo(1);
            assertPolicyRefusal(refused(st, DELETE), "in a transaction");
            try (ResultSet rs = st.executeQuery("SELECT status FROM orders WHERE id = " + id)) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("policy-test");
            }
            c.rollback();
            try (ResultSet rs = st.executeQuery("SELECT status FROM orders WHERE id = " + id)) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(status);
            }
        }
    }

    @Test
    void aStatementNeedingApprovalAndAnUnknownIdentityAreRefusedOnThisWireToo() throws Exception {
        try (Connection c = mariadb(""); Statement st = c.createStatement()) {
            SQLException e = refused(st, "CREATE TABLE policy_never (id int)");
            assertThat(e.getErrorCode()).isEqualTo(1142);
            assertThat(e.getMessage()).contains("policy rule schema-changes-approved: schema changes need a second person")
                    .contains("was not decided within");
        }
        // cleartext-user holds no role: whatever the driver or the test sends first is refused
        SQLException unknown = catchThrowableOfType(() -> {
            try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""), "cleartext-user",
                    "cleartext-secret"); Statement st = c.createStatement()) {
                st.execute("SELECT 1");
            }
        }, SQLException.class);
        assertThat((Throwable) unknown).isNotNull();
        // refused while the driver sets the connection up, MariaDB Connector/J wraps the server's error
        SQLException server = unknown;
        while (server.getErrorCode() != 1142 && server.getCause() instanceof SQLException cause) {
            server = cause;
        }
        assertThat(server.getErrorCode()).as(unknown.toString()).isEqualTo(1142);
        assertThat(server.getMessage()).contains("policy rule default.unknown-identity: \"cleartext-user\" holds no role");
    }
}
