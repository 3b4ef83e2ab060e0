package dev.veil.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.identity.oidc.ProviderSettings;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.PolicySet;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.KeycloakServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * An AI agent's changes over MCP with a real Keycloak client-credentials token: propose_change opens an approval
 * request routed to the agent's owner (alice), who approves or denies it through the API; get_change_result
 * reports the decision and runs the approved statement once, on the wire, as the approved-changes role's
 * database user where the upstream maps roles. A deny of the policy stays a deny; the agent never approves.
 * Also the rows-per-hour limit of an agent over the wire. Raw JSON-RPC (McpSdkTest drives it with the SDK).
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class McpAgentChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            roles:
              analyst: {configured-roles: [analyst]}
            rules:
              - name: agents-never-drop
                when: 'identity.kind == "agent" && "drop" in statement.actions'
                outcome: deny
                reason: agents never drop tables
              - name: pii-masked-for-analysts
                when: '"analyst" in identity.roles'
                outcome: mask
                mask:
                  - {tag: email, masker: email}
            default:
              known-identity: {outcome: allow}
              unknown-identity: {outcome: deny}
            """;
    private static volatile boolean prepared;

    @Inject
    OidcProviders providers;
    @Inject
    PolicyEngine engine;

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private PolicySet previous;

    private static KeycloakServer keycloak() {
        return KeycloakServer.shared();
    }

    @BeforeEach
    void tablesAndPolicy() throws Exception {
        if (!prepared) {
            providers.register(new ProviderSettings("keycloak-agents", keycloak().issuer(), Set.of("veil-gateway"), Optional.empty(),
                    List.of("email", "preferred_username"), "groups", Map.of("analysts", "analyst"),
                    new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS), Duration.ofSeconds(30),
                    Optional.empty(), Duration.ofMinutes(60), Duration.ofMinutes(1), Optional.empty(), Optional.empty()));
            // Through Veil on both upstreams, so that each one's catalog is read again after the DDL.
            try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER,
                    VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS agent_changes");
                st.execute("CREATE TABLE agent_changes (id int PRIMARY KEY, note text)");
                st.execute("INSERT INTO agent_changes VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four'), (5, 'five')");
                st.execute("GRANT SELECT ON agent_changes TO " + VeilTestResource.READER_DB_USER);
                st.execute("GRANT SELECT, UPDATE ON agent_changes TO " + VeilTestResource.WRITER_DB_USER);
            }
            try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("roles/shop", ""), VeilTestResource.USER,
                    VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
                st.execute("COMMENT ON TABLE agent_changes IS 'changed by agents on approval'");
            }
            prepared = true;
        }
        previous = engine.policy();
        engine.install(PolicyParser.parse(POLICY, "agent-changes-test.yaml", "dev"));
        String token = token("agent-analyst");
        for (String db : List.of("shop", "roles/shop")) {
            awaitTable(token, db);
        }
    }

    @AfterEach
    void restorePolicy() {
        engine.install(previous);
    }

    private static String token(String client) {
        return keycloak().clientCredentials(client, client + "-secret").accessToken();
    }

    private static String alice() {
        return keycloak().passwordGrant("veil-cli", null, "alice", "alice-password").accessToken();
    }

    /** The catalog (what proposals are analysed with) holds the table once it has been read again. */
    private void awaitTable(String token, String database) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonNode d = call(token, "describe_table", Map.of("table", "public.agent_changes", "database", database));
            if (!d.path("isError").asBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the catalog of " + database + " never showed agent_changes");
    }

    private JsonNode rpc(String token, String method, Object params) throws Exception {
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 9).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/mcp")).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-06-18").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(msg.toString())).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode call(String token, String tool, Map<String, Object> arguments) throws Exception {
        return rpc(token, "tools/call", Map.of("name", tool, "arguments", arguments)).path("result");
    }

    private HttpResponse<String> api(String method, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String note(int id) throws SQLException {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT note FROM agent_changes WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private JsonNode propose(String token, String sql, String database) throws Exception {
        return call(token, "propose_change", Map.of("sql", sql, "database", database));
    }

    @Test
    void aProposedChangeWaitsForItsOwnerAndRunsOnceApproved() throws Exception {
        String token = token("agent-analyst");
        String sql = "UPDATE agent_changes SET note = 'approved by alice' WHERE id = 1";
        JsonNode proposed = propose(token, sql, "shop");
        assertThat(proposed.path("isError").asBoolean()).as(proposed.toString()).isFalse();
        JsonNode p = proposed.path("structuredContent");
        assertThat(p.path("status").asText()).isEqualTo("pending_approval");
        String id = p.path("request_id").asText();
        assertThat(p.path("approve_url").asText()).endsWith("/console/approvals/" + id);
        assertThat(Instant.parse(p.path("expires_at").asText())).isAfter(Instant.now());
        assertThat(p.path("owner").asText()).isEqualTo("alice@example.com");
        assertThat(note(1)).as("nothing ran yet").isEqualTo("one");

        JsonNode pending = call(token, "get_change_result", Map.of("request_id", id));
        assertThat(pending.path("structuredContent").path("status").asText()).isEqualTo("pending_approval");

        // The agent cannot approve its own request, whatever it tries.
        HttpResponse<String> self = api("POST", "/api/v1/approvals/" + id + "/approve", "{}", token);
        assertThat(self.statusCode()).as(self.body()).isEqualTo(403);

        // Its owner finds it in their own list, though alice holds no approver role.
        String alice = alice();
        HttpResponse<String> mine = api("GET", "/api/v1/approvals?for=me", null, alice);
        assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
        JsonNode listed = null;
        for (JsonNode n : JSON.readTree(mine.body())) {
            if (n.path("id").asText().equals(id)) {
                listed = n;
            }
        }
        assertThat(listed).as(mine.body()).isNotNull();
        assertThat(listed.path("owner").asText()).isEqualTo("alice@example.com");
        assertThat(listed.path("identity").asText()).isEqualTo("agent-analyst");

        // The agent waits for the decision; alice approves meanwhile.
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return call(token, "get_change_result", Map.of("request_id", id, "wait_seconds", 60));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<String> ok = api("POST", "/api/v1/approvals/" + id + "/approve", "{\"mode\": \"once\"}", alice);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode done = waiting.get(90, TimeUnit.SECONDS);
        assertThat(done.path("isError").asBoolean()).as(done.toString()).isFalse();
        assertThat(done.path("structuredContent").path("status").asText()).isEqualTo("done");
        assertThat(done.path("structuredContent").path("kind").asText()).isEqualTo("veil.change-result");
        assertThat(done.path("structuredContent").path("rows_affected").asInt()).isEqualTo(1);
        assertThat(note(1)).isEqualTo("approved by alice");

        JsonNode again = call(token, "get_change_result", Map.of("request_id", id));
        assertThat(again.path("structuredContent").path("status").asText()).isEqualTo("already_run");

        // On the wire: the run is an allowed statement naming the approval, in a session marked as the tool's.
        JsonNode decided = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("statement.decided")
                && id.equals(r.path("approval").asText()), 1).get(0);
        assertThat(decided.path("identityName").asText()).isEqualTo("agent-analyst");
        assertThat(decided.path("decision").path("verdict").asText()).isEqualTo("allow");
        assertThat(decided.path("decision").path("reason").asText()).contains("approved by alice@example.com");
        assertThat(AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("admin.action")
                && r.path("action").asText().equals("mcp.propose_change") && id.equals(r.path("detail").path("request").asText()), 1))
                .hasSize(1);
    }

    @Test
    void aDeniedChangeReportsTheReasonAndNeverRuns() throws Exception {
        String token = token("agent-analyst");
        JsonNode proposed = propose(token, "UPDATE agent_changes SET note = 'denied' WHERE id = 2", "shop");
        String id = proposed.path("structuredContent").path("request_id").asText();
        HttpResponse<String> no = api("POST", "/api/v1/approvals/" + id + "/deny", "{\"reason\": \"not during the sale\"}", alice());
        assertThat(no.statusCode()).as(no.body()).isEqualTo(200);
        JsonNode result = call(token, "get_change_result", Map.of("request_id", id, "wait_seconds", 5));
        JsonNode s = result.path("structuredContent");
        assertThat(s.path("status").asText()).as(result.toString()).isEqualTo("denied");
        assertThat(s.path("reason").asText()).isEqualTo("not during the sale");
        assertThat(s.path("denied_by").asText()).isEqualTo("alice@example.com");
        assertThat(note(2)).isEqualTo("two");
    }

    @Test
    void whatThePolicyRefusesCannotBeProposedAndNeitherCanSeveralStatements() throws Exception {
        String token = token("agent-analyst");
        JsonNode drop = propose(token, "DROP TABLE agent_changes", "shop");
        assertThat(drop.path("isError").asBoolean()).isTrue();
        assertThat(drop.path("content").get(0).path("text").asText()).contains("agents-never-drop").contains("nothing was run or queued");
        JsonNode two = propose(token, "UPDATE agent_changes SET note = 'x' WHERE id = 3; DELETE FROM agent_changes WHERE id = 4", "shop");
        assertThat(two.path("content").get(0).path("text").asText()).contains("builtin.agent-change-approval").contains("one statement");
        JsonNode read = propose(token, "SELECT * FROM agent_changes", "shop");
        assertThat(read.path("content").get(0).path("text").asText()).contains("run_read_query");
        assertThat(note(3)).isEqualTo("three");
    }

    @Test
    void anApprovedChangeRunsAsTheApprovedChangesRolesUserWhileReadsStayReadOnly() throws Exception {
        String token = token("agent-analyst");
        JsonNode who = call(token, "run_read_query", Map.of("sql", "SELECT current_user", "database", "roles/shop"));
        assertThat(who.path("structuredContent").path("rows").get(0).get(0).asText()).as(who.toString())
                .isEqualTo(VeilTestResource.READER_DB_USER);
        JsonNode refused = call(token, "run_read_query", Map.of("sql", "UPDATE agent_changes SET note = 'x' WHERE id = 5",
                "database", "roles/shop"));
        assertThat(refused.path("isError").asBoolean()).isTrue();

        String sql = "UPDATE agent_changes SET note = 'by the writer' WHERE id = 5";
        String id = propose(token, sql, "roles/shop").path("structuredContent").path("request_id").asText();
        HttpResponse<String> ok = api("POST", "/api/v1/approvals/" + id + "/approve", "{}", alice());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode done = call(token, "get_change_result", Map.of("request_id", id));
        assertThat(done.path("structuredContent").path("rows_affected").asInt()).as(done.toString()).isEqualTo(1);
        assertThat(note(5)).isEqualTo("by the writer");
        JsonNode decided = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("statement.decided")
                && id.equals(r.path("approval").asText()), 1).get(0);
        assertThat(decided.path("decision").path("reason").asText())
                .contains("run as database user " + VeilTestResource.WRITER_DB_USER + " (role engineer)");
    }

    @Test
    void anAgentPastItsRowsPerHourIsRefusedNamingTheLimit() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.ROWS_AGENT,
                VeilTestResource.ROWS_AGENT_PASSWORD); Statement st = c.createStatement()) {
            // 5 rows an hour: 4, then 3 (the statement that crosses the limit completes), then refused.
            st.execute("SELECT id FROM agent_changes WHERE id <= 4");
            st.execute("SELECT id FROM agent_changes WHERE id <= 3");
            SQLException e = catchThrowableOfType(() -> st.execute("SELECT 1"), SQLException.class);
            assertThat((Throwable) e).isNotNull();
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("builtin.agent-rows-per-hour").contains(VeilTestResource.ROWS_AGENT)
                    .contains("limit of 5").contains("rows-per-hour");
            // The session stays usable: the next statement gets the same answer, not a broken connection.
            SQLException next = catchThrowableOfType(() -> st.execute("SELECT 2"), SQLException.class);
            assertThat(next.getMessage()).contains("builtin.agent-rows-per-hour");
        }
    }
}
