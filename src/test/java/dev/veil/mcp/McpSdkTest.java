package dev.veil.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.identity.oidc.ProviderSettings;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.PolicySet;
import dev.veil.testing.KeycloakServer;
import dev.veil.testing.VeilTestResource;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MCP endpoint driven by the official MCP Java SDK (its Streamable HTTP client transport) with a real Keycloak
 * client-credentials token: initialize, the tool list, a masked read, a change proposed, approved by the agent's
 * owner through the API and run, a denial, and the rate limit's tool error, as an agent framework sees them.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class McpSdkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLEAR_EMAIL = "sdk.agent@example.org";
    private static final String POLICY = """
            roles:
              analyst: {configured-roles: [analyst]}
            rules:
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
    void tableAndPolicy() throws Exception {
        if (!prepared) {
            providers.register(new ProviderSettings("keycloak-agents", keycloak().issuer(), Set.of("veil-gateway"), Optional.empty(),
                    List.of("email", "preferred_username"), "groups", Map.of("analysts", "analyst"),
                    new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS), Duration.ofSeconds(30),
                    Optional.empty(), Duration.ofMinutes(60), Duration.ofMinutes(1), Optional.empty(), Optional.empty()));
            try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER,
                    VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS sdk_notes");
                st.execute("CREATE TABLE sdk_notes (id int PRIMARY KEY, email text, note text)");
                st.execute("INSERT INTO sdk_notes VALUES (1, '" + CLEAR_EMAIL + "', 'one'), (2, 'b@example.org', 'two')");
            }
            prepared = true;
        }
        previous = engine.policy();
        engine.install(PolicyParser.parse(POLICY, "sdk-test.yaml", "dev"));
    }

    @AfterEach
    void restorePolicy() {
        engine.install(previous);
    }

    private McpSyncClient client(String clientId) {
        String token = keycloak().clientCredentials(clientId, clientId + "-secret").accessToken();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(base.toString())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(90)).build();
        client.initialize();
        return client;
    }

    private static JsonNode structured(McpSchema.CallToolResult r) {
        return JSON.valueToTree(r.structuredContent());
    }

    private static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        return client.callTool(new McpSchema.CallToolRequest(tool, arguments));
    }

    /** The catalog holds the table once Veil has read it again after the DDL. */
    private static void awaitTable(McpSyncClient client) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (!Boolean.TRUE.equals(call(client, "describe_table", Map.of("table", "sdk_notes", "database", "shop")).isError())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the catalog never showed sdk_notes");
    }

    private int decide(String id, String verb, String body) throws Exception {
        String alice = keycloak().passwordGrant("veil-cli", null, "alice", "alice-password").accessToken();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/approvals/" + id + "/" + verb))
                .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    private static String note(int id) throws Exception {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT note FROM sdk_notes WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void anSdkClientReadsMaskedDataAndRunsAChangeItsOwnerApproved() throws Exception {
        try (McpSyncClient client = client("agent-analyst")) {
            assertThat(client.getServerInfo().name()).isEqualTo("veil");
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
                    .contains("run_read_query", "propose_change", "get_change_result");
            awaitTable(client);

            McpSchema.CallToolResult read = call(client, "run_read_query", Map.of("sql", "SELECT id, email FROM sdk_notes ORDER BY id",
                    "database", "shop"));
            assertThat(read.isError()).as(text(read)).isFalse();
            JsonNode envelope = structured(read);
            assertThat(envelope.path("kind").asText()).isEqualTo("veil.query-result");
            assertThat(envelope.path("untrusted_data").asBoolean()).isTrue();
            assertThat(envelope.path("rows").get(0).get(1).asText()).isNotEqualTo(CLEAR_EMAIL).endsWith("@example.org");

            McpSchema.CallToolResult proposed = call(client, "propose_change", Map.of("sql",
                    "UPDATE sdk_notes SET note = 'changed over the SDK' WHERE id = 1", "database", "shop"));
            assertThat(proposed.isError()).as(text(proposed)).isFalse();
            assertThat(structured(proposed).path("status").asText()).isEqualTo("pending_approval");
            String id = structured(proposed).path("request_id").asText();
            assertThat(structured(proposed).path("approve_url").asText()).endsWith("/console/approvals/" + id);

            assertThat(decide(id, "approve", "{\"mode\": \"once\"}")).isEqualTo(200);
            McpSchema.CallToolResult done = call(client, "get_change_result", Map.of("request_id", id, "wait_seconds", 10));
            assertThat(done.isError()).as(text(done)).isFalse();
            assertThat(structured(done).path("status").asText()).isEqualTo("done");
            assertThat(structured(done).path("rows_affected").asInt()).isEqualTo(1);
            assertThat(note(1)).isEqualTo("changed over the SDK");
        }
    }

    @Test
    void aDenialReachesTheSdkClientWithItsReason() throws Exception {
        try (McpSyncClient client = client("agent-analyst")) {
            awaitTable(client);
            McpSchema.CallToolResult proposed = call(client, "propose_change", Map.of("sql",
                    "DELETE FROM sdk_notes WHERE id = 2", "database", "shop"));
            String id = structured(proposed).path("request_id").asText();
            assertThat(decide(id, "deny", "{\"reason\": \"keep it\"}")).isEqualTo(200);
            McpSchema.CallToolResult result = call(client, "get_change_result", Map.of("request_id", id));
            assertThat(structured(result).path("status").asText()).isEqualTo("denied");
            assertThat(structured(result).path("reason").asText()).isEqualTo("keep it");
            assertThat(note(2)).isEqualTo("two");
        }
    }

    @Test
    void theRateLimitIsAToolErrorTheSdkClientReads() {
        try (McpSyncClient client = client("agent-limited")) {
            // 3 statements a minute: within 7 calls one is refused, even if a minute ends between two of them.
            McpSchema.CallToolResult refused = null;
            for (int i = 0; i < 7 && refused == null; i++) {
                McpSchema.CallToolResult r = call(client, "run_read_query", Map.of("sql", "SELECT 1", "database", "shop"));
                if (Boolean.TRUE.equals(r.isError())) {
                    refused = r;
                }
            }
            assertThat(refused).as("refused within 7 calls").isNotNull();
            assertThat(text(refused)).contains("builtin.agent-rate-limit").contains("agent-limited")
                    .contains("statements-per-minute");
        }
    }
}
