package dev.veil.upstream;

import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
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
 * Roles reach PostgreSQL as database users of their own (upstreams "roles", session pooling, and "rolestx",
 * transaction pooling, each a pool of one connection per user): analyst as a read-only user, engineer as a
 * writer, anyone else as the upstream's own user. No policy file is loaded, so Veil refuses nothing on its own:
 * a read-only session's write is refused by the database, which is the last wall. The reader is granted INSERT on
 * the probe table, so what refuses its write is the read-only transaction, not a missing privilege.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class RoleUsersThroughVeilTest {
    private static final String TABLE = "role_probe_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @Inject
    UpstreamRegistry upstreams;

    @BeforeAll
    static void createProbeTable() throws SQLException {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + TABLE + " (id int)");
            st.execute("GRANT SELECT, INSERT ON " + TABLE + " TO " + VeilTestResource.READER_DB_USER + ", "
                    + VeilTestResource.WRITER_DB_USER);
        }
    }

    @AfterAll
    static void dropProbeTable() throws SQLException {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @Test
    void eachRoleConnectsAsItsOwnDatabaseUserAndTheSessionRecordSaysWhich() throws Exception {
        for (String upstream : new String[]{"roles", "rolestx"}) {
            try (Connection reader = reader(upstream); Connection writer = writer(upstream); Connection other = tester(upstream)) {
                assertThat(one(reader, "SELECT current_user")).isEqualTo(VeilTestResource.READER_DB_USER);
                assertThat(one(writer, "SELECT current_user")).isEqualTo(VeilTestResource.WRITER_DB_USER);
                assertThat(one(other, "SELECT current_user")).as("no mapped role: the upstream's own user")
                        .isEqualTo(VeilTestResource.server().superuser());
            }
        }
        AuditTrail audit = AuditTrail.ofTestVeil();
        assertThat(audit.await(r -> r.path("type").asText().equals("session.started")
                && r.path("identity").path("name").asText().equals(VeilTestResource.READER), 2))
                .allSatisfy(r -> assertThat(r.path("databaseUser").asText()).isEqualTo(VeilTestResource.READER_DB_USER));
    }

    @Test
    void aReadOnlyRolesWriteIsRefusedByTheDatabaseItself() throws Exception {
        for (String upstream : new String[]{"roles", "rolestx"}) {
            try (Connection reader = reader(upstream); Statement st = reader.createStatement()) {
                assertThat(one(reader, "SHOW transaction_read_only")).isEqualTo("on");
                assertThatThrownBy(() -> st.execute("INSERT INTO " + TABLE + " VALUES (1)")).as(upstream)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
                // DISCARD ALL (and RESET ALL behind it) goes back to the setting the connection started with.
                st.execute("DISCARD ALL");
                assertThatThrownBy(() -> st.execute("INSERT INTO " + TABLE + " VALUES (2)")).as(upstream + ", after DISCARD ALL")
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
            }
        }
        assertThat(count()).isZero();
    }

    @Test
    void aReadOnlySessionCannotMakeItsTransactionsReadWrite() throws Exception {
        for (String upstream : new String[]{"roles", "rolestx"}) {
            try (Connection reader = reader(upstream); Statement st = reader.createStatement()) {
                for (String escape : new String[]{"SET default_transaction_read_only = off",
                        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "BEGIN READ WRITE",
                        "SELECT set_config('default_transaction_read_only', 'off', false)", "RESET ALL"}) {
                    assertThatThrownBy(() -> st.execute(escape)).as(escape)
                            .isInstanceOfSatisfying(SQLException.class, e -> {
                                assertThat(e.getSQLState()).isEqualTo("42501");
                                assertThat(e.getMessage()).contains("guardrail transaction-mode").contains("read-only");
                            });
                }
                assertThat(one(reader, "SHOW transaction_read_only")).as("the session goes on, still read-only").isEqualTo("on");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilUrl(upstream + "/shop",
                    "options=-c%20default_transaction_read_only%3Doff"), VeilTestResource.READER, VeilTestResource.READER_PASSWORD))
                    .as("a startup parameter that would override it")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
    }

    @Test
    void afterAReadOnlySessionOtherRolesGetConnectionsThatWrite() throws Exception {
        for (String upstream : new String[]{"roles", "rolestx"}) {
            try (Connection reader = reader(upstream)) {
                assertThat(one(reader, "SHOW transaction_read_only")).isEqualTo("on");
            }
            try (Connection writer = writer(upstream); Statement st = writer.createStatement()) {
                assertThat(one(writer, "SHOW transaction_read_only")).isEqualTo("off");
                st.execute("INSERT INTO " + TABLE + " VALUES (10)");
            }
            try (Connection other = tester(upstream)) {
                assertThat(one(other, "SHOW transaction_read_only")).isEqualTo("off");
            }
        }
        assertThat(count()).isEqualTo(2);
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = c.createStatement()) {
            st.execute("DELETE FROM " + TABLE);
        }
        // One pool per database user, each of one connection: the reader's connection never served another user.
        assertThat(upstreams.poolStats()).containsKeys("roles/shop@" + VeilTestResource.READER_DB_USER,
                "roles/shop@" + VeilTestResource.WRITER_DB_USER, "roles/shop",
                "rolestx/shop@" + VeilTestResource.READER_DB_USER, "rolestx/shop@" + VeilTestResource.WRITER_DB_USER);
    }

    @Test
    void anUpstreamThatRequiresARoleUserRefusesIdentitiesWithoutOne() throws Exception {
        try (Connection writer = writer("rolesonly")) {
            assertThat(one(writer, "SELECT current_user")).isEqualTo(VeilTestResource.WRITER_DB_USER);
        }
        assertThatThrownBy(() -> tester("rolesonly")).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("veil.upstreams.rolesonly.require-role-user").contains(VeilTestResource.USER);
        });
        AuditTrail audit = AuditTrail.ofTestVeil();
        assertThat(audit.await(r -> r.path("type").asText().equals("auth.failed")
                && r.path("reason").asText().contains("veil.upstreams.rolesonly.require-role-user"), 1)).hasSize(1);
    }

    private static Connection reader(String upstream) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(upstream + "/shop", ""), VeilTestResource.READER,
                VeilTestResource.READER_PASSWORD);
    }

    private static Connection writer(String upstream) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(upstream + "/shop", ""), VeilTestResource.WRITER,
                VeilTestResource.WRITER_PASSWORD);
    }

    private static Connection tester(String upstream) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(upstream + "/shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
    }

    private static int count() throws SQLException {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop")) {
            return Integer.parseInt(one(c, "SELECT count(*) FROM " + TABLE));
        }
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
