package dev.veil.audit;

import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** When the audit files cannot be written, statements are refused (53000), connections stay usable, and all recovers. */
@Tag("servers")
@Tag("faults")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class AuditFailClosedTest {
    @TestHTTPResource("/q/health/ready")
    URI readyUri;

    private static Connection veil(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", extra), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    @Test
    void refusesStatementsWhileTheAuditDirectoryIsUnusableThenRecovers() throws Exception {
        Path dir = VeilTestResource.auditDirectory();
        Path aside = dir.resolveSibling("audit-aside-" + UUID.randomUUID());
        try (Connection simple = veil("preferQueryMode=simple"); Connection extended = veil("prepareThreshold=1");
             Statement st = simple.createStatement()) {
            st.execute("SELECT 1");
            Files.move(dir, aside);
            Files.writeString(dir, "not a directory: the audit sink cannot start its next file");
            SQLException refused = null;
            try {
                // Writing goes on into the open file until it is full (64 KiB in tests); the next file cannot be made.
                for (int i = 0; i < 5_000 && refused == null; i++) {
                    try {
                        st.execute("SELECT " + i);
                    } catch (SQLException e) {
                        refused = e;
                    }
                }
                assertThat((Object) refused).as("a statement is refused once the audit log fails").isNotNull();
                assertThat(refused.getSQLState()).isEqualTo("53000");
                assertThat(refused.getMessage()).contains("audit log").contains(dir.toString());
                // Not fatal: the same connection gets the same clear refusal for its next statement.
                SQLException again = catchSql(() -> st.execute("SELECT 'again'"));
                assertThat(again.getSQLState()).isEqualTo("53000");
                // Readiness says why (to an admin: the reason names the directory).
                var ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(readyUri)
                                .header("Authorization", VeilTestResource.adminAuthorization()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("veil-audit").contains("Not a directory");
                // Extended protocol: refused at Execute, and the connection stays in step.
                try (PreparedStatement ps = extended.prepareStatement("SELECT ? + 1")) {
                    ps.setInt(1, 41);
                    assertThat(catchSql(ps::executeQuery).getSQLState()).isEqualTo("53000");
                }
            } finally {
                Files.delete(dir);
                Files.move(aside, dir);
            }
            // The writer retries by itself; statements run again on the same connections.
            boolean back = false;
            for (int i = 0; i < 100 && !back; i++) {
                try {
                    st.execute("SELECT 1");
                    back = true;
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).isEqualTo("53000");
                    Thread.sleep(100);
                }
            }
            assertThat(back).isTrue();
            try (PreparedStatement ps = extended.prepareStatement("SELECT ? + 1")) {
                ps.setInt(1, 41);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(42);
                }
            }
        }
        // Nothing refused was recorded as run, and the chain has no gap or fork across the failure.
        AuditTrail trail = AuditTrail.ofTestVeil();
        trail.await(j -> AuditTrail.type("checkpoint").test(j) && "recovered".equals(j.path("reason").asText())
                || j.path("statement").asText().equals("SELECT ? + ?"), 1);
        AuditVerifier.Result r = new AuditVerifier().verify(dir, List.of(), false);
        assertThat(r.findings()).isEmpty();
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private static SQLException catchSql(SqlAction a) {
        try {
            a.run();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("expected the statement to be refused");
    }
}
