package dev.veil.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;
import dev.veil.upstream.UpstreamPool;
import dev.veil.upstream.UpstreamRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
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
import java.sql.Statement;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What a statement runs as once approved, through a real Veil and real drivers: its results are masked as they are
 * for its identity without the hold (the approval decides the statement, not its results), a mask rule's refusal
 * stands before anyone is asked, and an approved DROP DATABASE first closes Veil's idle pooled connections to it.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(ApprovalTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class ApprovedRunsThroughVeilTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** partial(4) of a value of customers.ssn (ddd-dd-dddd). */
    private static final String MASKED_SSN = "x{7}\\d{4}";

    @TestHTTPResource("/")
    URI base;

    @Inject
    UpstreamRegistry upstreams;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> api(String method, String path, String body, String user, String password) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", basic)
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for the pending request of {@code sql} (no literals: the request shows the text redacted) and approves it once. */
    private void approvePending(String sql) throws Exception {
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> r = api("GET", "/api/v1/approvals?status=pending", null, VeilTestResource.ADMIN_USER,
                    VeilTestResource.ADMIN_PASSWORD);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            for (JsonNode n : JSON.readTree(r.body())) {
                if (n.path("statement").asText().equals(sql)) {
                    HttpResponse<String> ok = api("POST", "/api/v1/approvals/" + n.path("id").asText() + "/approve",
                            "{\"mode\": \"once\"}", ApprovalTestProfile.LEAD, ApprovalTestProfile.LEAD_PASSWORD);
                    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pending request for " + sql);
    }

    /** The first column of the first row {@code sql} returns, run on another thread while the request is approved. */
    private String firstValueOnceApproved(Statement st, String sql) throws Exception {
        CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> {
            try (ResultSet rs = st.executeQuery(sql)) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        approvePending(sql);
        return run.get(30, TimeUnit.SECONDS);
    }

    private static Connection pg(String database) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl(database, "assumeMinServerVersion=9.4"),
                VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    @Test
    void anApprovedSelectAndUpdateReturningAreMaskedForPgjdbcAsWithoutTheHold() throws Exception {
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            assertThat(firstValueOnceApproved(st, "SELECT ssn FROM customers ORDER BY id")).matches(MASKED_SSN);
            assertThat(firstValueOnceApproved(st, "UPDATE customers SET city = city WHERE id = (SELECT min(id) FROM customers) RETURNING ssn"))
                    .matches(MASKED_SSN);
        }
    }

    @Test
    void anApprovedSelectIsMaskedForMariaDbConnectorJ() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMariadbUrl(MariaDbServer.DATABASE, ""),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            assertThat(firstValueOnceApproved(st, "SELECT ssn FROM customers ORDER BY id")).matches(MASKED_SSN);
        }
    }

    @Test
    void aWriteThatWouldCopyAMaskedColumnIsRefusedAtOnceInsteadOfAskingForAnApproval() throws Exception {
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            SQLException e = catchThrowableOfType(() -> st.executeUpdate("UPDATE customers SET city = ssn WHERE id = 1"),
                    SQLException.class);
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("engineers-see-masked-ssn").contains("an approval does not lift this");
            assertThat((Throwable) st.getWarnings()).as("no approval was asked for").isNull();
        }
    }

    @Test
    void anApprovedDropDatabaseFirstClosesVeilsIdlePooledConnectionsToIt() throws Exception {
        String db = "appr_db_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection c = pg(db); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a hang guard, not a threshold
        while (idle("main/" + db) != 1) {
            assertThat(System.nanoTime()).as("the session's server connection back in the pool").isLessThan(deadline);
            Thread.sleep(20);
        }
        try (Connection c = pg("shop"); Statement st = c.createStatement()) {
            String drop = "DROP DATABASE " + db;
            CompletableFuture<SQLException> run = CompletableFuture.supplyAsync(() -> {
                try {
                    st.execute(drop);
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            approvePending(drop);
            // Without the idle connection closed first, PostgreSQL refuses with 55006 (being accessed by other users).
            assertThat((Throwable) run.get(60, TimeUnit.SECONDS)).isNull();
        }
        assertThat(upstreams.poolStats()).doesNotContainKey("main/" + db);
    }

    private int idle(String pool) {
        UpstreamPool.PoolStats s = upstreams.poolStats().get(pool);
        return s == null ? 0 : s.idle();
    }
}
