package dev.veil.frontend.mysql;

import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;
import dev.veil.upstream.UpstreamRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Roles reach MariaDB as database users of their own (upstream "myroles", one connection per user): analyst as a
 * read-only user, engineer as a writer, anyone else as the upstream's own user. No policy file is loaded: a
 * read-only session's write is refused by the server (1792), as the reader holds INSERT on the probe table. The
 * session stays read-only after the pool's reset and after a COM_RESET_CONNECTION of its own client.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MySqlRoleUsersThroughVeilTest {
    private static final String TABLE = "role_probe_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    /** ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION */
    private static final int READ_ONLY_TRANSACTION = 1792;

    @Inject
    UpstreamRegistry upstreams;

    @BeforeAll
    static void createProbeTable() throws SQLException {
        try (Connection c = VeilTestResource.mariadb().connectAsRoot(MariaDbServer.DATABASE); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + TABLE + " (id int)");
            for (String user : new String[]{VeilTestResource.READER_DB_USER, VeilTestResource.WRITER_DB_USER}) {
                st.execute("GRANT SELECT, INSERT ON " + MariaDbServer.DATABASE + "." + TABLE + " TO " + user + "@'%'");
            }
        }
    }

    @AfterAll
    static void dropProbeTable() throws SQLException {
        try (Connection c = VeilTestResource.mariadb().connectAsRoot(MariaDbServer.DATABASE); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @Test
    void eachRoleConnectsAsItsOwnDatabaseUser() throws Exception {
        for (MySqlDrivers driver : MySqlDrivers.values()) {
            try (Connection reader = connect(driver, VeilTestResource.READER, VeilTestResource.READER_PASSWORD);
                 Connection writer = connect(driver, VeilTestResource.WRITER, VeilTestResource.WRITER_PASSWORD);
                 Connection other = connect(driver, VeilTestResource.USER, VeilTestResource.PASSWORD)) {
                assertThat(one(reader, "SELECT CURRENT_USER()")).isEqualTo(VeilTestResource.READER_DB_USER + "@%");
                assertThat(one(writer, "SELECT CURRENT_USER()")).isEqualTo(VeilTestResource.WRITER_DB_USER + "@%");
                assertThat(one(other, "SELECT CURRENT_USER()")).as("no mapped role: the upstream's own user")
                        .startsWith(VeilTestResource.mariadb().nativeUser().user() + "@");
            }
        }
        assertThat(upstreams.poolStats().keySet()).contains("myroles/shop@" + VeilTestResource.READER_DB_USER,
                "myroles/shop@" + VeilTestResource.WRITER_DB_USER, "myroles/shop");
    }

    @Test
    void aReadOnlyRolesWriteIsRefusedByTheServerAfterEveryKindOfReset() throws Exception {
        // Twice: the second session gets the first one's connection after the pool's COM_RESET_CONNECTION.
        for (int session = 0; session < 2; session++) {
            try (Connection reader = connect(MySqlDrivers.MARIADB_CONNECTOR_J, VeilTestResource.READER,
                    VeilTestResource.READER_PASSWORD); Statement st = reader.createStatement()) {
                assertThatThrownBy(() -> st.execute("INSERT INTO " + TABLE + " VALUES (1)")).as("session " + session)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(READ_ONLY_TRANSACTION));
                ((org.mariadb.jdbc.Connection) reader).reset(); // the client's own COM_RESET_CONNECTION
                assertThat(one(reader, "SELECT 'after reset'")).isEqualTo("after reset");
                assertThatThrownBy(() -> st.execute("INSERT INTO " + TABLE + " VALUES (2)")).as("after the client's reset")
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(READ_ONLY_TRANSACTION));
            }
        }
        try (Connection writer = connect(MySqlDrivers.MARIADB_CONNECTOR_J, VeilTestResource.WRITER, VeilTestResource.WRITER_PASSWORD);
             Statement st = writer.createStatement()) {
            assertThat(one(writer, "SELECT @@session.transaction_read_only")).isEqualTo("0");
            st.execute("INSERT INTO " + TABLE + " VALUES (3)");
            assertThat(one(writer, "SELECT count(*) FROM " + TABLE)).as("only the writer's row").isEqualTo("1");
        }
        try (Connection c = VeilTestResource.mariadb().connectAsRoot(MariaDbServer.DATABASE); Statement st = c.createStatement()) {
            st.execute("DELETE FROM " + TABLE);
        }
    }

    @Test
    void aReadOnlySessionCannotMakeItsTransactionsReadWrite() throws Exception {
        for (MySqlDrivers driver : MySqlDrivers.values()) {
            try (Connection reader = connect(driver, VeilTestResource.READER, VeilTestResource.READER_PASSWORD);
                 Statement st = reader.createStatement()) {
                for (String escape : new String[]{"SET SESSION TRANSACTION READ WRITE", "SET @@session.transaction_read_only = 0",
                        "START TRANSACTION READ WRITE"}) {
                    assertThatThrownBy(() -> st.execute(escape)).as(driver + ": " + escape)
                            .isInstanceOfSatisfying(SQLException.class, e -> {
                                assertThat(e.getErrorCode()).isEqualTo(1142);
                                assertThat(e.getMessage()).contains("guardrail transaction-mode").contains("read-only");
                            });
                }
                assertThat(one(reader, "SELECT @@session.transaction_read_only")).as("the session goes on, still read-only")
                        .isEqualTo("1");
            }
        }
    }

    private static Connection connect(MySqlDrivers driver, String user, String password) throws SQLException {
        String url = driver == MySqlDrivers.MARIADB_CONNECTOR_J ? VeilTestResource.veilMariadbUrl("myroles/shop", "")
                : VeilTestResource.veilMysqlUrl("myroles%2Fshop", "");
        return DriverManager.getConnection(url, MySqlDrivers.props(user, password));
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
