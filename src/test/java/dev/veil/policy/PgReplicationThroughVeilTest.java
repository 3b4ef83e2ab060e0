package dev.veil.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.util.PSQLException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * PostgreSQL replication connections through Veil (pgjdbc's replication API against the suite's real server): the
 * policy's replication section grants them (here to role auditors), the commands are decided and recorded like
 * statements, and the stream of a START_REPLICATION is relayed both ways as one long statement.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(PolicyTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class PgReplicationThroughVeilTest {
    private static final String DATABASE = "txpool/shop";

    private static Connection replication(String user, String password, String mode) throws SQLException {
        Properties p = new Properties();
        PGProperty.USER.set(p, user);
        PGProperty.PASSWORD.set(p, password);
        PGProperty.REPLICATION.set(p, mode);
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        // upstream "txpool": the server's superuser, under transaction pooling, which a replication session bypasses
        return DriverManager.getConnection(VeilTestResource.veilUrl(DATABASE, ""), p);
    }

    private static Connection plain() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(DATABASE, ""), VeilTestResource.ADMIN_USER,
                VeilTestResource.ADMIN_PASSWORD);
    }

    @Test
    void anIdentityWithoutTheGrantIsRefusedAtStartupNamingTheSection() {
        for (String mode : new String[] {"database", "true"}) {
            PSQLException e = catchThrowableOfType(() -> replication(VeilTestResource.USER, VeilTestResource.PASSWORD, mode).close(),
                    PSQLException.class);
            assertThat((Throwable) e).as(mode).isNotNull();
            assertThat(e.getSQLState()).as(mode).isEqualTo("42501");
            assertThat(e.getServerErrorMessage().getMessage()).as(mode)
                    .contains("the policy's replication section allows them to roles auditors")
                    .contains("you hold tester")
                    .contains("rule policy.replication");
        }
    }

    @Test
    void aReplicationCommandOnAnOrdinaryConnectionIsRefusedWithoutTheGrantAndTheSessionGoesOn() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            PSQLException e = catchThrowableOfType(() -> st.execute("IDENTIFY_SYSTEM"), PSQLException.class);
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getServerErrorMessage().getMessage()).contains("rule policy.replication");
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void aGrantedLogicalReplicationConnectionRunsReplicationCommandsAndSqlEachRecorded() throws Exception {
        try (Connection c = replication(VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD, "database");
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("systemid")).matches("\\d+");
                assertThat(rs.getString("dbname")).isEqualTo("shop");
            }
            // replication=database takes SQL too, decided like any other statement
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
                assertThat(rs.next()).isTrue();
            }
        }
        AuditTrail trail = AuditTrail.ofTestVeil();
        JsonNode decided = trail.await(r -> r.path("statement").asText().equals("IDENTIFY_SYSTEM")
                && "allow".equals(r.path("decision").path("verdict").asText()), 1).get(0);
        assertThat(decided.path("decision").path("rule").asText()).isEqualTo("policy.replication");
    }

    @Test
    void aPhysicalStreamIsRelayedBothWaysUntilTheClientStopsAndIsRecordedAsOneStatement() throws Exception {
        String canary = "veil-replication-canary-" + System.nanoTime();
        // The flush position: the insert position may be ahead of it (the test server does not fsync), and the
        // server refuses a start past what it has flushed.
        LogSequenceNumber start;
        try (Connection c = plain(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()")) {
            rs.next();
            start = LogSequenceNumber.valueOf(rs.getString(1));
        }
        try (Connection c = replication(VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD, "true")) {
            PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical()
                    .withStartPosition(start).withStatusInterval(100, TimeUnit.MILLISECONDS).start();
            try (Connection w = plain(); Statement st = w.createStatement()) {
                // a WAL record carrying the canary's bytes, written outside any transaction
                st.execute("SELECT pg_logical_emit_message(false, 'veil-test', '" + canary + "')");
            }
            boolean seen = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!seen && System.nanoTime() < deadline) {
                ByteBuffer wal = stream.readPending();
                if (wal == null) {
                    Thread.sleep(20);
                    continue;
                }
                byte[] bytes = new byte[wal.remaining()];
                wal.get(bytes);
                seen = new String(bytes, StandardCharsets.ISO_8859_1).contains(canary);
                // standby status updates go the other way on the same stream
                stream.setAppliedLSN(stream.getLastReceiveLSN());
                stream.setFlushedLSN(stream.getLastReceiveLSN());
                stream.forceUpdateStatus();
            }
            assertThat(seen).as("the WAL record with the canary came through Veil").isTrue();
            stream.close();
        }
        AuditTrail trail = AuditTrail.ofTestVeil();
        JsonNode decided = trail.await(r -> r.path("statement").asText().startsWith("START_REPLICATION")
                && "allow".equals(r.path("decision").path("verdict").asText()), 1).get(0);
        assertThat(decided.path("decision").path("rule").asText()).isEqualTo("policy.replication");
        long seq = decided.path("seq").asLong();
        long session = decided.path("sessionId").asLong();
        // its completion is recorded once the stream has ended
        trail.await(r -> r.path("sessionId").asLong(-1) == session && r.path("seq").asLong() > seq
                && r.path("type").asText().startsWith("statement.") && !r.path("type").asText().equals("statement.decided"), 1);
    }
}
