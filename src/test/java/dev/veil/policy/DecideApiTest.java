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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/decide} on the suite's Veil with its policy file: the real analysis against the upstream's
 * catalog, the policy in force, per statement of a longer text, bad input refused with 400, each request an admin
 * action in the audit trail.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(PolicyTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class DecideApiTest {
    @TestHTTPResource("/api/v1/decide")
    URI decide;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AuditCodec codec = new AuditCodec();

    private HttpResponse<String> post(String user, String password, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(decide).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode decided(String body) throws Exception {
        HttpResponse<String> r = post(VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return codec.mapper().readTree(r.body());
    }

    private String refused(String body) throws Exception {
        HttpResponse<String> r = post(VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        return codec.mapper().readTree(r.body()).path("error").asText();
    }

    @Test
    void anIdentitysStatementIsDecidedByThePolicyInForceOnItsAnalysisAgainstTheCatalog() throws Exception {
        JsonNode d = decided("""
                {"identity": {"subject": "tester"}, "dialect": "postgresql", "database": "shop",
                 "sql": "DELETE FROM orders WHERE id = 42"}""");
        assertThat(d.path("verdict").asText()).isEqualTo("deny");
        assertThat(d.path("rule").asText()).isEqualTo("orders-never-deleted");
        assertThat(d.path("reason").asText()).isEqualTo("policy rule orders-never-deleted: orders are never deleted; "
                + "set their status to 'cancelled' instead");
        assertThat(d.path("policyVersion").asText()).isEqualTo(PolicyParser.version(PolicyTestProfile.POLICY));
        assertThat(d.path("environment").asText()).isEqualTo("dev");
        assertThat(d.path("asker").path("roles").toString()).isEqualTo("[\"tester\"]");
        assertThat(d.path("catalog").asText()).isEqualTo("loaded");
        assertThat(d.path("database").asText()).isEqualTo("main/shop");
        assertThat(d.path("analysis").path("analysed").asBoolean()).isTrue();
        assertThat(d.path("analysis").path("relations").toString()).contains("public.orders").contains("DELETE");
        assertThat(d.path("statements")).hasSize(1);
    }

    @Test
    void aStatedRoleHoldsWhateverTheBindingsSayAndObserveModeHitsAreShown() throws Exception {
        JsonNode d = decided("""
                {"role": "tester", "dialect": "postgresql", "database": "shop",
                 "sql": "UPDATE orders SET status = 'paid' WHERE id = 1"}""");
        assertThat(d.path("verdict").asText()).isEqualTo("allow");
        assertThat(d.path("rule").asText()).isEqualTo(PolicySet.KNOWN_DEFAULT);
        assertThat(d.path("asker").path("rolesStated").asBoolean()).isTrue();
        JsonNode observed = d.path("observed").get(0);
        assertThat(observed.path("rule").asText()).isEqualTo("updates-watched");
        assertThat(observed.path("verdict").asText()).isEqualTo("deny");

        JsonNode ddl = decided("""
                {"identity": {"subject": "someone", "configured-roles": ["admin"]}, "dialect": "postgresql",
                 "database": "shop", "sql": "ALTER TABLE orders ADD COLUMN note text"}""");
        assertThat(ddl.path("verdict").asText()).isEqualTo("require-approval");
        assertThat(ddl.path("asker").path("roles").toString()).isEqualTo("[\"auditors\"]");

        JsonNode stranger = decided("""
                {"identity": {"subject": "mallory"}, "dialect": "postgresql", "database": "shop", "sql": "SELECT 1"}""");
        assertThat(stranger.path("rule").asText()).isEqualTo(PolicySet.UNKNOWN_DEFAULT);
        assertThat(stranger.path("reason").asText()).contains("\"mallory\" holds no role");
    }

    @Test
    void eachStatementOfALongerTextIsDecidedBesideTheWholeText() throws Exception {
        JsonNode d = decided("""
                {"role": "tester", "dialect": "postgresql", "database": "shop",
                 "sql": "SELECT id FROM orders; DELETE FROM orders WHERE id = 1"}""");
        assertThat(d.path("analysis").path("analysed").asBoolean()).isFalse();
        assertThat(d.path("statements")).hasSize(2);
        JsonNode first = d.path("statements").get(0);
        JsonNode second = d.path("statements").get(1);
        assertThat(first.path("sql").asText()).isEqualTo("SELECT id FROM orders");
        assertThat(first.path("decision").path("verdict").asText()).isEqualTo("allow");
        assertThat(second.path("sql").asText()).isEqualTo("DELETE FROM orders WHERE id = 1");
        assertThat(second.path("analysis").path("analysed").asBoolean()).isTrue();
        assertThat(second.path("decision").path("rule").asText()).isEqualTo("orders-never-deleted");
    }

    @Test
    void withoutACatalogTheStatementIsDecidedUnanalysedAsThePipelineWouldAndTheAnswerSaysSo() throws Exception {
        JsonNode d = decided("""
                {"role": "tester", "dialect": "postgresql", "database": "md5/no_such_database",
                 "sql": "DELETE FROM orders WHERE id = 1"}""");
        assertThat(d.path("catalog").asText()).startsWith("unavailable").contains("analysed without a catalog");
        assertThat(d.path("analysis").path("analysed").asBoolean()).isFalse();
        assertThat(d.path("analysis").path("failure").asText()).contains("orders");
        // the token scan still finds the relation, and calls what is done to it a write
        JsonNode relation = d.path("analysis").path("relations").get(0);
        assertThat(relation.path("relation").asText()).isEqualTo("orders");
        assertThat(relation.path("action").asText()).isEqualTo("WRITE");
    }

    @Test
    void mysqlStatementsAreDecidedOnTheirOwnDialect() throws Exception {
        JsonNode d = decided("""
                {"role": "tester", "dialect": "mysql", "sql": "DELETE FROM `orders` WHERE id = 1"}""");
        assertThat(d.path("rule").asText()).isEqualTo("orders-never-deleted");
        assertThat(d.path("database").asText()).startsWith("my/");
    }

    @Test
    void badInputIsRefusedWith400NamingTheFieldAndWhatItShouldBe() throws Exception {
        assertThat(refused("{\"role\": \"tester\", \"dialect\": \"postgresql\"}")).contains("sql is missing");
        assertThat(refused("{\"role\": \"tester\", \"dialect\": \"oracle\", \"sql\": \"SELECT 1\"}"))
                .contains("dialect is postgresql or mysql, not \"oracle\"");
        assertThat(refused("{\"dialect\": \"postgresql\", \"sql\": \"SELECT 1\"}")).contains("who asks is missing");
        assertThat(refused("{\"identity\": {\"subject\": \"x\", \"kind\": \"robot\"}, \"dialect\": \"postgresql\", \"sql\": \"SELECT 1\"}"))
                .contains("identity.kind is person, service or agent, not \"robot\"");
        assertThat(refused("{\"identity\": {\"subject\": \"x\", \"groupz\": []}, \"dialect\": \"postgresql\", \"sql\": \"SELECT 1\"}"))
                .contains("identity.groupz is not a field of an identity");
        assertThat(refused("{\"role\": \"tester\", \"dialect\": \"postgresql\", \"sql\": \"SELECT 1\", \"environment\": \"prod\"}"))
                .contains("this Veil serves \"dev\"");
        assertThat(refused("{\"role\": \"tester\", \"sqll\": \"SELECT 1\"}")).contains("sqll is not a field of a decide request");
        assertThat(refused("{\"role\": ")).startsWith("the body is not JSON");
        assertThat(refused("[1, 2]")).startsWith("expected a JSON object");
        HttpResponse<String> missing = post(VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD,
                "{\"role\": \"tester\", \"dialect\": \"postgresql\", \"database\": \"nowhere/shop\", \"sql\": \"SELECT 1\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void onlyAdministratorsMayAsk() throws Exception {
        String body = "{\"role\": \"tester\", \"dialect\": \"postgresql\", \"sql\": \"SELECT 1\"}";
        assertThat(post(null, null, body).statusCode()).isEqualTo(401);
        assertThat(post(VeilTestResource.USER, VeilTestResource.PASSWORD, body).statusCode()).isEqualTo(403);
    }

    @Test
    void eachDecisionAskedForIsAnAdminActionInTheAuditTrailWithItsTextRedacted() throws Exception {
        decided("""
                {"identity": {"subject": "tester"}, "dialect": "postgresql", "database": "shop",
                 "sql": "DELETE FROM orders WHERE id = 987654"}""");
        JsonNode action = AuditTrail.ofTestVeil().await(r -> "policy.decide".equals(r.path("action").asText())
                && r.path("detail").path("statement").asText().startsWith("DELETE FROM orders WHERE id ="), 1).get(0);
        assertThat(action.path("type").asText()).isEqualTo("admin.action");
        assertThat(action.path("actor").asText()).isEqualTo(VeilTestResource.ADMIN_USER);
        assertThat(action.path("detail").path("statement").asText()).doesNotContain("987654");
        assertThat(action.path("detail").path("verdict").asText()).isEqualTo("deny");
        assertThat(action.path("detail").path("rule").asText()).isEqualTo("orders-never-deleted");
        assertThat(action.path("detail").path("asker").asText()).isEqualTo("tester");
    }
}
