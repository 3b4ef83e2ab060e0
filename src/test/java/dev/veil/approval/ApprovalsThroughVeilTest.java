package dev.veil.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.MariaDbServer;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Statements held for approval through a real Veil: pgjdbc and MariaDB Connector/J wait while another thread
 * decides over the HTTP API as a different admin; the requests live in the audit database's table.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(ApprovalTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class ApprovalsThroughVeilTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    private static Connection pg() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", "assumeMinServerVersion=9.4"),
                VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> api(String method, String path, String body, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", basic(user, password))
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> approve(String id, String body, String user, String password) throws Exception {
        return api("POST", "/api/v1/approvals/" + id + "/approve", body, user, password);
    }

    private HttpResponse<String> asLead(String path, String body) throws Exception {
        return api("POST", path, body, ApprovalTestProfile.LEAD, ApprovalTestProfile.LEAD_PASSWORD);
    }

    /** The pending request whose statement is {@code sql}, once a waiting session has opened it. */
    private JsonNode pending(String sql) throws Exception {
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> r = api("GET", "/api/v1/approvals?status=pending", null, VeilTestResource.ADMIN_USER,
                    VeilTestResource.ADMIN_PASSWORD);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            for (JsonNode n : JSON.readTree(r.body())) {
                if (n.path("statement").asText().equals(sql)) {
                    return n;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pending request for " + sql);
    }

    private static boolean exists(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static CompletableFuture<SQLException> running(Statement st, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                st.execute(sql);
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }

    @Test
    void aDropWaitsWithANoticeAndRunsOnceAnotherAdminApproves() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE appr_a (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_a");
            JsonNode request = pending("DROP TABLE appr_a");
            String id = request.path("id").asText();
            assertThat(request.path("identity").asText()).isEqualTo(VeilTestResource.USER);
            assertThat(request.path("rule").asText()).isEqualTo("drops-need-approval");
            assertThat(request.path("link").asText()).endsWith("/console/approvals/" + id);
            assertThat(drop).isNotDone();

            HttpResponse<String> ok = asLead("/api/v1/approvals/" + id + "/approve", "{\"mode\": \"once\", \"reason\": \"planned\"}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("status").asText()).isEqualTo("approved");

            assertThat((Throwable) drop.get(30, TimeUnit.SECONDS)).isNull();
            SQLWarning notice = st.getWarnings();
            assertThat((Throwable) notice).isNotNull();
            assertThat(notice.getMessage()).contains("Approval request " + id).contains("/console/approvals/" + id);
            assertThat(exists(st, "appr_a")).isFalse();

            // Used once: the same statement again asks anew.
            HttpResponse<String> again = asLead("/api/v1/approvals/" + id + "/approve", "{}");
            assertThat(again.statusCode()).isEqualTo(409);
            HttpResponse<String> shown = api("GET", "/api/v1/approvals/" + id, null, VeilTestResource.ADMIN_USER,
                    VeilTestResource.ADMIN_PASSWORD);
            assertThat(JSON.readTree(shown.body()).path("status").asText()).isEqualTo("used");
        }
    }

    @Test
    void aDenialRefusesWith42501NamingTheRequestAndTheSessionGoesOn() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE appr_d (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_d");
            String id = pending("DROP TABLE appr_d").path("id").asText();
            HttpResponse<String> no = asLead("/api/v1/approvals/" + id + "/deny", "{\"reason\": \"not during the sale\"}");
            assertThat(no.statusCode()).as(no.body()).isEqualTo(200);
            SQLException e = drop.get(30, TimeUnit.SECONDS);
            assertThat((Throwable) e).isNotNull();
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("drops-need-approval").contains(id).contains("denied by lead")
                    .contains("not during the sale");
            assertThat(exists(st, "appr_d")).isTrue();
        }
    }

    @Test
    void noDecisionWithinTheRulesTimeoutRefusesWith42501() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE appr_quick (id int)");
            SQLException e = catchThrowableOfType(() -> st.execute("DROP TABLE appr_quick"), SQLException.class);
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("quick-drops").contains("was not decided within 2 s");
            assertThat(exists(st, "appr_quick")).isTrue();
        }
    }

    @Test
    void theRequesterCannotApproveTheirOwnStatement() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE appr_self (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_self");
            String id = pending("DROP TABLE appr_self").path("id").asText();
            HttpResponse<String> self = approve(id, "{}", VeilTestResource.USER, VeilTestResource.PASSWORD);
            assertThat(self.statusCode()).isEqualTo(403);
            assertThat(self.body()).contains("self-approval");
            assertThat(asLead("/api/v1/approvals/" + id + "/deny", "{}").statusCode()).isEqualTo(200);
            assertThat(drop.get(30, TimeUnit.SECONDS).getSQLState()).isEqualTo("42501");
        }
    }

    @Test
    void aCancelEndsTheWaitWith57014AndALaterWindowApprovalLetsTheSameStatementRunWithoutWaiting() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE appr_w (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_w");
            String id = pending("DROP TABLE appr_w").path("id").asText();
            st.cancel();
            SQLException cancelled = drop.get(30, TimeUnit.SECONDS);
            assertThat(cancelled.getSQLState()).isEqualTo("57014");
            assertThat(cancelled.getMessage()).contains(id);
            assertThat(exists(st, "appr_w")).isTrue(); // the session is usable

            HttpResponse<String> ok = asLead("/api/v1/approvals/" + id + "/approve", "{\"mode\": \"window\", \"minutes\": 30}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            st.clearWarnings();
            st.execute("DROP TABLE appr_w");
            assertThat((Throwable) st.getWarnings()).as("no approval notice: it ran on the approval in force").isNull();
            assertThat(exists(st, "appr_w")).isFalse();
            st.execute("CREATE TABLE appr_w (id int)");
            st.execute("DROP TABLE appr_w"); // again, within the window
            assertThat(exists(st, "appr_w")).isFalse();

            // Another text (even one that does the same) does not ride on it.
            st.execute("CREATE TABLE appr_w (id int)");
            CompletableFuture<SQLException> other = running(st, "drop table appr_w");
            String second = pending("drop table appr_w").path("id").asText();
            assertThat(second).isNotEqualTo(id);
            assertThat(asLead("/api/v1/approvals/" + second + "/deny", "{}").statusCode()).isEqualTo(200);
            assertThat(other.get(30, TimeUnit.SECONDS).getSQLState()).isEqualTo("42501");
        }
        // Another identity does not ride on it either: the admin's own DROP waits for its own request.
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "assumeMinServerVersion=9.4"),
                ApprovalTestProfile.LEAD, ApprovalTestProfile.LEAD_PASSWORD); Statement st = c.createStatement()) {
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_w");
            JsonNode theirs = pending("DROP TABLE appr_w");
            assertThat(theirs.path("identity").asText()).isEqualTo(ApprovalTestProfile.LEAD);
            assertThat(approve(theirs.path("id").asText(), "{}", ApprovalTestProfile.LEAD, ApprovalTestProfile.LEAD_PASSWORD)
                    .statusCode()).isEqualTo(403);
            HttpResponse<String> deny = api("POST", "/api/v1/approvals/" + theirs.path("id").asText() + "/deny", "{}",
                    VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
            assertThat(deny.statusCode()).as(deny.body()).isEqualTo(200);
            assertThat(drop.get(30, TimeUnit.SECONDS).getSQLState()).isEqualTo("42501");
        }
    }

    @Test
    void twoApproversAreNeededWhenTheRuleSaysSo() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE appr_two (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_two");
            String id = pending("DROP TABLE appr_two").path("id").asText();
            HttpResponse<String> first = asLead("/api/v1/approvals/" + id + "/approve", "{}");
            assertThat(JSON.readTree(first.body()).path("status").asText()).isEqualTo("pending");
            assertThat(asLead("/api/v1/approvals/" + id + "/approve", "{}").statusCode()).isEqualTo(409);
            assertThat(drop).isNotDone();
            HttpResponse<String> second = approve(id, "{}", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
            assertThat(JSON.readTree(second.body()).path("status").asText()).isEqualTo("approved");
            assertThat((Throwable) drop.get(30, TimeUnit.SECONDS)).isNull();
            assertThat(exists(st, "appr_two")).isFalse();
        }
    }

    @Test
    void mysqlClientsWaitTooAndGetTheLinkWhenDenied() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl(MariaDbServer.DATABASE, ""),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE appr_my (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_my");
            String id = pending("DROP TABLE appr_my").path("id").asText();
            assertThat(asLead("/api/v1/approvals/" + id + "/approve", "{}").statusCode()).isEqualTo(200);
            assertThat((Throwable) drop.get(30, TimeUnit.SECONDS)).isNull();

            st.execute("CREATE TABLE appr_my (id int)");
            CompletableFuture<SQLException> again = running(st, "DROP TABLE appr_my");
            String second = pending("DROP TABLE appr_my").path("id").asText();
            assertThat(asLead("/api/v1/approvals/" + second + "/deny", "{\"reason\": \"no\"}").statusCode()).isEqualTo(200);
            SQLException e = again.get(30, TimeUnit.SECONDS);
            assertThat(e.getErrorCode()).isEqualTo(1142);
            assertThat(e.getMessage()).contains(second).contains("denied by lead");
            st.execute("SELECT 1"); // the connection is usable
        }
    }
}
