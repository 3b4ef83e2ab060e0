package dev.veil.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.veil.testing.AuditTrail.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statements nested 1,000 and 5,000 levels deep through Veil, on both wires: they were an internal error (XX000 /
 * 1105) with no audit record. Now Veil records them as not analysable (lineage unknown) and decides on them like
 * any statement; with no policy covering the user they run, so the client gets the server's own answer, and
 * the session goes on. Nothing is logged as an error.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class DeeplyNestedStatementsThroughVeilTest {
    private final AuditTrail trail = AuditTrail.ofTestVeil();
    private final List<LogRecord> errors = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue() || record.getThrown() != null) {
                errors.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureErrors() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    private static String nested(String marker, int levels) {
        return "SELECT /* " + marker + " */ " + "(".repeat(levels) + "1" + ")".repeat(levels) + " AS deep";
    }

    @Test
    void postgresClientsGetTheServersAnswerAndTheStatementIsAudited() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            for (int levels : new int[] {1_000, 5_000}) {
                runsOrFailsAtTheServer(c, "deep-pg-" + UUID.randomUUID(), levels);
            }
        }
    }

    @Test
    void mysqlClientsGetTheServersAnswerAndTheStatementIsAudited() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""),
                VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            for (int levels : new int[] {1_000, 5_000}) {
                runsOrFailsAtTheServer(c, "deep-my-" + UUID.randomUUID(), levels);
            }
        }
    }

    private void runsOrFailsAtTheServer(Connection c, String marker, int levels) throws Exception {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(nested(marker, levels))) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            } catch (SQLException e) {
                // The server's own limit (PostgreSQL's stack depth, MariaDB's parser stack), never Veil's.
                assertThat(e.getSQLState()).as(e.getMessage()).isNotEqualTo("XX000");
                assertThat(e.getErrorCode()).as(e.getMessage()).isNotEqualTo(1105);
            }
            try (ResultSet rs = st.executeQuery("SELECT 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the session goes on").isEqualTo(2);
            }
        }
        JsonNode decided = trail.await(j -> type("statement.decided").test(j)
                && j.path("statement").asText().contains(marker), 1).get(0);
        assertThat(decided.path("decision").path("verdict").asText()).isEqualTo("allow");
        assertThat(decided.path("analysis").path("kind").asText()).isEqualTo("READ");
        assertThat(decided.path("analysis").path("lineage").asText()).isEqualTo("unknown");
        assertThat(errors).as("errors logged for %d levels", levels).isEmpty();
    }
}
