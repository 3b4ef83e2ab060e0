package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditCodec;
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
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Metrics after known traffic, health checks, and the admin-only audit API. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class ObservabilityTest {
    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sum of the samples of a metric whose labels include every given {@code name="value"}. */
    private double metric(String name, String... labels) throws Exception {
        String body = get("/q/metrics", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD).body();
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static Connection veil() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", "assumeMinServerVersion=9.4&preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    @Test
    void countsStatementsTimesAndAuditWritesAfterKnownTraffic() throws Exception {
        String[] allowed = {"decision=\"allow\"", "kind=\"read\"", "protocol=\"postgresql\""};
        double statements = metric("veil_statements_total", allowed);
        double veilTimes = metric("veil_statement_veil_time_seconds_count");
        double upstreamTimes = metric("veil_statement_upstream_time_seconds_count");
        double records = metric("veil_audit_records_total");
        double authFailures = metric("veil_auth_failures_total");
        try (Connection c = veil(); Statement st = c.createStatement()) {
            for (int i = 0; i < 7; i++) {
                st.execute("SELECT " + i);
            }
            assertThat(metric("veil_client_connections", "protocol=\"postgresql\"", "environment=\"dev\"")).isGreaterThanOrEqualTo(1);
        }
        assertThatThrownBy(() -> DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER, "wrong"))
                .isInstanceOf(SQLException.class);
        assertThat(metric("veil_statements_total", allowed) - statements).isEqualTo(7);
        assertThat(metric("veil_statement_veil_time_seconds_count") - veilTimes).isEqualTo(7);
        assertThat(metric("veil_statement_upstream_time_seconds_count") - upstreamTimes).isEqualTo(7);
        assertThat(metric("veil_statement_veil_time_seconds_bucket")).as("histogram buckets").isGreaterThan(0);
        assertThat(metric("veil_auth_failures_total") - authFailures).isEqualTo(1);
        // session start, 7 decisions: at least those were stored (completions follow asynchronously)
        assertThat(metric("veil_audit_records_total") - records).isGreaterThanOrEqualTo(8);
        assertThat(metric("veil_audit_write_seconds_count")).isGreaterThan(0);
        assertThat(get("/q/metrics", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD).body()).contains("veil_audit_queue_depth");
        assertThat(metric("veil_upstream_pool_size", "upstream=\"main\"", "database=\"shop\"")).isGreaterThanOrEqualTo(1);
        assertThat(get("/q/metrics", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD).body()).contains("veil_upstream_pool_in_use{").contains("veil_upstream_pool_waits_total{")
                .contains("veil_upstream_pool_errors_total{").contains("veil_sessions_open")
                .contains("veil_client_connections_authenticating{").contains("veil_client_connections_refused_total{");
    }

    @Test
    void countsLineageAndAnalysisCacheLookupsAfterKnownTraffic() throws Exception {
        String pg = "protocol=\"postgresql\"";
        double known = metric("veil_statements_lineage_total", pg, "lineage=\"known\"");
        double partial = metric("veil_statements_lineage_total", pg, "lineage=\"partial\"");
        double unknown = metric("veil_statements_lineage_total", pg, "lineage=\"unknown\"");
        double hits = metric("veil_analysis_cache_hits_total");
        double misses = metric("veil_analysis_cache_misses_total");
        try (Connection c = veil(); Statement st = c.createStatement()) {
            // A text no other test sends: the first is a miss, the second differs only in a literal, a hit.
            st.execute("SELECT email AS observability_probe FROM customers WHERE id = 1");
            st.execute("SELECT email AS observability_probe FROM customers WHERE id = 2");
            // A whole-row reference: every column of the row, known.
            st.execute("SELECT row_to_json(c) FROM customers c LIMIT 1");
            // Calcite's grammar reads ORDER BY inside array_agg / string_agg only: the analysis fails closed.
            st.execute("SELECT json_agg(email ORDER BY id) FROM customers");
            // ssn is known, the set-returning function's column is not.
            st.execute("SELECT c.ssn, g.n FROM customers c CROSS JOIN generate_series(1, 2) AS g(n) LIMIT 1");
        }
        assertThat(metric("veil_statements_lineage_total", pg, "lineage=\"known\"") - known).isEqualTo(3);
        assertThat(metric("veil_statements_lineage_total", pg, "lineage=\"unknown\"") - unknown).isEqualTo(1);
        assertThat(metric("veil_statements_lineage_total", pg, "lineage=\"partial\"") - partial).isEqualTo(1);
        double newHits = metric("veil_analysis_cache_hits_total") - hits;
        double newMisses = metric("veil_analysis_cache_misses_total") - misses;
        assertThat(newHits + newMisses).as("one lookup per statement").isEqualTo(5);
        assertThat(newHits).as("the repeated shape").isGreaterThanOrEqualTo(1);
        assertThat(newMisses).as("the first of the shapes no test sent before").isGreaterThanOrEqualTo(1);
        double ratio = metric("veil_analysis_cache_hit_ratio");
        assertThat(ratio).isBetween(0.0, 1.0);
        assertThat(metric("veil_analysis_cache_size")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void readinessCoversListenersUpstreamsAndTheAuditLog() throws Exception {
        HttpResponse<String> ready = get("/q/health/ready", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("veil-audit").contains("veil-upstreams").contains("upstream.main")
                .contains("reachable").contains("veil-listeners");
        HttpResponse<String> live = get("/q/health/live", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("veil-gateway").contains("running");
    }

    @Test
    void theAuditApiIsForAdminsAndIsItselfAudited() throws Exception {
        try (Connection c = veil(); Statement st = c.createStatement()) {
            st.execute("SELECT 'api'");
        }
        assertThat(get("/api/v1/audit", null, null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/audit", VeilTestResource.ADMIN_USER, "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/audit", VeilTestResource.USER, VeilTestResource.PASSWORD).statusCode()).isEqualTo(403);
        HttpResponse<String> r = get("/api/v1/audit?identity=" + VeilTestResource.USER + "&type=statement.decided&limit=50",
                VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode found = new AuditCodec().mapper().readTree(r.body());
        assertThat(found.size()).isBetween(1, 50);
        found.forEach(j -> {
            assertThat(j.path("identityName").asText()).isEqualTo(VeilTestResource.USER);
            assertThat(j.path("type").asText()).isEqualTo("statement.decided");
        });
        assertThat(get("/api/v1/audit?from=yesterday", VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD).statusCode()).isEqualTo(400);
        List<JsonNode> actions = AuditTrail.ofTestVeil().await(j -> AuditTrail.type("admin.action").test(j)
                && VeilTestResource.ADMIN_USER.equals(j.path("actor").asText()) && "audit.search".equals(j.path("action").asText()), 1);
        assertThat(actions.get(0).path("detail").path("identity").asText()).isEqualTo(VeilTestResource.USER);
    }

    @Test
    void theAuditApiTakesAnOidcBearerTokenAndItsRoles() throws Exception {
        var idp = VeilTestResource.idp();
        assertThat(bearer("/api/v1/audit?limit=1", idp.token("root@example.com", "admins")).statusCode()).isEqualTo(200);
        assertThat(bearer("/api/v1/audit?limit=1", idp.token("ann@example.com", "analysts")).statusCode()).isEqualTo(403);
        assertThat(bearer("/api/v1/audit?limit=1", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.").statusCode()).isEqualTo(401);
        List<JsonNode> actions = AuditTrail.ofTestVeil().await(j -> AuditTrail.type("admin.action").test(j)
                && "root@example.com".equals(j.path("actor").asText()), 1);
        assertThat(actions.get(0).path("action").asText()).isEqualTo("audit.search");
    }

    private HttpResponse<String> bearer(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
