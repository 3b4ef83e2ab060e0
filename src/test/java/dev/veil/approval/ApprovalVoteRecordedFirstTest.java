package dev.veil.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A vote through the API is recorded before it is cast, as every admin action is: while the audit log cannot write,
 * an approval is refused with 503 and the request stays pending (it used to be stored first, and then answered 503).
 */
@Tag("servers")
@Tag("faults")
@QuarkusTest
@TestProfile(ApprovalTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class ApprovalVoteRecordedFirstTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    private static Connection pg() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private HttpResponse<String> api(String method, String path, String body, String user, String password) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", basic)
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String pending(String sql) throws Exception {
        for (int i = 0; i < 300; i++) {
            for (JsonNode n : JSON.readTree(api("GET", "/api/v1/approvals?status=pending", null, VeilTestResource.ADMIN_USER,
                    VeilTestResource.ADMIN_PASSWORD).body())) {
                if (n.path("statement").asText().equals(sql)) {
                    return n.path("id").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pending request for " + sql);
    }

    private String status(String id) throws Exception {
        return JSON.readTree(api("GET", "/api/v1/approvals/" + id, null, VeilTestResource.ADMIN_USER,
                VeilTestResource.ADMIN_PASSWORD).body()).path("status").asText();
    }

    @Test
    void anApprovalTheAuditLogCannotRecordIsNotCast() throws Exception {
        Path dir = VeilTestResource.auditDirectory();
        Path aside = dir.resolveSibling("audit-aside-" + UUID.randomUUID());
        try (Connection c = pg(); Statement st = c.createStatement(); Connection filler = pg(); Statement fill = filler.createStatement()) {
            st.execute("CREATE TABLE appr_unrecorded (id int)");
            CompletableFuture<SQLException> drop = CompletableFuture.supplyAsync(() -> {
                try {
                    st.execute("DROP TABLE appr_unrecorded");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            String id = pending("DROP TABLE appr_unrecorded");
            Files.move(dir, aside);
            try {
                Files.writeString(dir, "not a directory: the audit sink cannot start its next file");
                // Writing goes on into the open file until it is full (64 KiB in tests); the next file cannot be made.
                boolean failing = false;
                for (int i = 0; i < 5_000 && !failing; i++) {
                    try {
                        fill.execute("SELECT " + i);
                    } catch (SQLException e) {
                        assertThat(e.getSQLState()).isEqualTo("53000");
                        failing = true;
                    }
                }
                assertThat(failing).as("the audit log fails").isTrue();

                HttpResponse<String> refused = api("POST", "/api/v1/approvals/" + id + "/approve", "{\"reason\": \"unrecorded\"}",
                        ApprovalTestProfile.LEAD, ApprovalTestProfile.LEAD_PASSWORD);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(status(id)).as("the vote was not cast").isEqualTo("pending");
                assertThat(refused.body()).contains("not taken");
                assertThat(drop).isNotDone();
            } finally {
                Files.delete(dir);
                Files.move(aside, dir);
            }
            // Once the log writes again (the writer retries by itself), the same approval is recorded and cast.
            HttpResponse<String> ok = null;
            for (int i = 0; i < 100; i++) {
                ok = api("POST", "/api/v1/approvals/" + id + "/approve", "{\"reason\": \"recorded\"}",
                        ApprovalTestProfile.LEAD, ApprovalTestProfile.LEAD_PASSWORD);
                if (ok.statusCode() != 503) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat((Throwable) drop.get(30, TimeUnit.SECONDS)).isNull();
        }
    }
}
