package dev.veil.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditCodec;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** pgjdbc through a Veil with a policy file: refusals named by their rule, sessions and transactions kept. */
@Tag("servers")
@QuarkusTest
@TestProfile(PolicyTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class PgPolicyThroughVeilTest {
    private static final String DELETE = "DELETE FROM orders WHERE id = -1";

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AuditCodec codec = new AuditCodec();

    private static Connection veil(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", extra), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private static PSQLException refused(Statement st, String sql) {
        PSQLException e = catchThrowableOfType(() -> st.execute(sql), PSQLException.class);
        assertThat((Throwable) e).as("refused: " + sql).isNotNull();
        return e;
    }

    private static long count(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aDeniedStatementGets42501NamingTheRuleAndTheSessionGoesOn() throws Exception {
        // extended protocol (unnamed statements), named server-side statements in binary, and the simple protocol
        for (String mode : List.of("", "prepareThreshold=-1&binaryTransfer=true", "preferQueryMode=simple")) {
            try (Connection c = veil(mode); Statement st = c.createStatement()) {
                PSQLException e = refused(st, DELETE);
                assertThat(e.getSQLState()).as(mode).isEqualTo("42501");
                assertThat(e.getServerErrorMessage().getMessage()).as(mode).isEqualTo(
                        "policy rule orders-never-deleted: orders are never deleted; set their status to 'cancelled' instead");
                assertThat(count(st)).as(mode).isPositive();
                refused(st, DELETE);
                assertThat(count(st)).as(mode).isPositive();
            }
        }
    }

    @Test
    void aRefusalInsideATransactionLeavesTheTransactionUsable() throws Exception {
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            long id;
            String status;
            try (ResultSet rs = st.executeQuery("SELECT id, status FROM orders ORDER BY id LIMIT 1")) {
                rs.next();
                id = rs.getLong(1);
                status = rs.getString(2);
            }
            c.setAutoCommit(false);
            assertThat(st.executeUpdate("UPDATE orders SET status = 'policy-test' WHERE id = " + id)).isEqualTo(1);
            assertThat(refused(st, DELETE).getSQLState()).isEqualTo("42501");
            // the same transaction, its change still visible: the refusal never reached the server
            try (ResultSet rs = st.executeQuery("SELECT status FROM orders WHERE id = " + id)) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("policy-test");
            }
            c.rollback();
            try (ResultSet rs = st.executeQuery("SELECT status FROM orders WHERE id = " + id)) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(status);
            }
        }
    }

    @Test
    void aStatementNeedingApprovalWaitsAndIsRefusedWhenNobodyDecidesInTime() throws Exception {
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            PSQLException e = refused(st, "CREATE TABLE policy_never (id int)");
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getServerErrorMessage().getMessage()).startsWith(
                    "policy rule schema-changes-approved: schema changes need a second person (rule schema-changes-approved): "
                            + "approval request ").contains("was not decided within");
            assertThat(count(st)).isPositive();
        }
    }

    @Test
    void anIdentityWithoutARoleIsRefusedByDefault() throws Exception {
        // pgjdbc's own first statement (SET extra_float_digits) is already refused: nothing runs for such an identity
        PSQLException e = catchThrowableOfType(() -> {
            try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.SERVICE_ACCOUNT,
                    VeilTestResource.SERVICE_SECRET); Statement st = c.createStatement()) {
                st.execute("SELECT 1");
            }
        }, PSQLException.class);
        assertThat((Throwable) e).isNotNull();
        assertThat(e.getSQLState()).isEqualTo("42501");
        assertThat(e.getServerErrorMessage().getMessage()).isEqualTo("policy rule default.unknown-identity: \""
                + VeilTestResource.SERVICE_ACCOUNT + "\" holds no role in the policy of environment dev (no role binding "
                + "matches its account, groups or claims); ask an administrator to bind it to a role");
    }

    @Test
    void decisionsCarryThePolicyVersionAndObserveModeHitsAndAreFoundByRule() throws Exception {
        String version = PolicyParser.version(PolicyTestProfile.POLICY);
        // literals are redacted in the trail: the statements are told apart by their shape
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            refused(st, "DELETE FROM orders WHERE customer_id = -1");
            st.executeUpdate("UPDATE orders SET status = status WHERE customer_id = -1");
        }
        AuditTrail trail = AuditTrail.ofTestVeil();
        JsonNode denied = trail.await(r -> r.path("statement").asText().startsWith("DELETE FROM orders WHERE customer_id"), 1).get(0);
        assertThat(denied.path("decision").path("verdict").asText()).isEqualTo("deny");
        assertThat(denied.path("decision").path("rule").asText()).isEqualTo("orders-never-deleted");
        assertThat(denied.path("decision").path("policyVersion").asText()).isEqualTo(version);
        JsonNode watched = trail.await(r -> r.path("statement").asText().startsWith("UPDATE orders SET status = status WHERE customer_id"),
                1).get(0);
        assertThat(watched.path("decision").path("verdict").asText()).isEqualTo("allow");
        assertThat(watched.path("decision").path("rule").asText()).isEqualTo("default.known-identity");
        assertThat(watched.path("decision").path("policyVersion").asText()).isEqualTo(version);
        JsonNode observed = watched.path("decision").path("observed").get(0);
        assertThat(observed.path("rule").asText()).isEqualTo("updates-watched");
        assertThat(observed.path("mode").asText()).isEqualTo("observe");
        assertThat(observed.path("verdict").asText()).isEqualTo("deny");

        // the audit search finds what each rule stopped, or would have in observe mode
        assertThat(search("rule=orders-never-deleted&decision=deny")).anyMatch(r -> r.path("seq").equals(denied.path("seq")));
        assertThat(search("rule=updates-watched&decision=deny")).anyMatch(r -> r.path("seq").equals(watched.path("seq")));
        assertThat(search("decision=deny")).noneMatch(r -> r.path("seq").equals(watched.path("seq")));
        // the load at start is recorded with the same version
        assertThat(trail.records(AuditTrail.type("policy.reloaded"))).anyMatch(r -> r.path("ok").asBoolean()
                && r.path("version").asText().equals(version));
    }

    private List<JsonNode> search(String query) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/audit?limit=1000&" + query))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (VeilTestResource.ADMIN_USER + ":" + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = codec.mapper().readTree(r.body());
        JsonNode records = body.isArray() ? body : body.path("records");
        List<JsonNode> out = new java.util.ArrayList<>();
        records.forEach(out::add);
        return out;
    }

    @Tag("faults")
    @Test
    void readinessReportsThePolicyInForceAndAChangedFileIsPutInForceWithoutARestart() throws Exception {
        String version = PolicyParser.version(PolicyTestProfile.POLICY);
        assertThat(readiness()).contains("\"veil-policy\"").contains("\"loaded\": true").contains("\"version\": \"" + version + "\"");
        String stricter = PolicyTestProfile.POLICY + """
                  - name: customers-closed
                    when: statement.relations.exists(r, r.relation == "customers")
                    outcome: deny
                    reason: customers are closed for maintenance
                """;
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.executeQuery("SELECT id FROM customers LIMIT 1").close();
            PolicyTestProfile.replace(stricter);
            awaitReadiness("\"version\": \"" + PolicyParser.version(stricter) + "\"");
            // the same session, now under the new version
            assertThat(refused(st, "SELECT id FROM customers LIMIT 1").getServerErrorMessage().getMessage())
                    .startsWith("policy rule customers-closed:");
            // a broken change is refused: the version before stays, and readiness says why
            PolicyTestProfile.replace(stricter.replace("statement.relations.exists(r, r.relation == \"customers\")",
                    "statement.relatoins.exists(r, r.relation == \"customers\")"));
            awaitReadiness("\"refusal\"");
            assertThat(readiness()).contains("\"version\": \"" + PolicyParser.version(stricter) + "\"")
                    .contains("unknown variable 'statement.relatoins'");
            refused(st, "SELECT id FROM customers LIMIT 1");
        } finally {
            PolicyTestProfile.replace(PolicyTestProfile.POLICY);
            awaitReadiness("\"version\": \"" + version + "\"");
        }
    }

    private String readiness() throws Exception {
        // The details of readiness are for administrators (anonymous callers get the status only).
        return http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready"))
                .header("Authorization", VeilTestResource.adminAuthorization()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitReadiness(String text) throws Exception {
        for (int i = 0; i < 300 && !readiness().contains(text); i++) {
            Thread.sleep(100);
        }
        assertThat(readiness()).contains(text);
    }
}
