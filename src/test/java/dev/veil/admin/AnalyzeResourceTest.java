package dev.veil.admin;

import dev.veil.identity.LocalAccounts;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The analyze endpoint against the real test upstream's shop catalog (upstream "md5", named in the database). */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class AnalyzeResourceTest {
    private static final String BODY = """
            {"dialect": "postgresql", "database": "md5/shop", "sql": "SELECT upper(email) AS e FROM customer_contacts WHERE ssn_check(1) IS NULL OR id = $1"}""";

    @TestHTTPResource("/api/v1/analyze")
    URI analyze;

    @Inject
    LocalAccounts accounts;

    @BeforeEach
    void accounts() {
        accounts.add("api-admin", "api-admin-secret", List.of("admin"));
        accounts.add("api-analyst", "api-analyst-secret", List.of("analyst"));
    }

    private HttpResponse<String> post(String user, String password, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(analyze).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adminGetsTheAnalysisWithLineageThroughTheView() throws Exception {
        HttpResponse<String> r = post("api-admin", "api-admin-secret", """
                {"dialect": "postgresql", "database": "md5/shop", "sql": "SELECT upper(email) AS e FROM customer_contacts WHERE id = $1"}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"kind\":\"READ\"").contains("\"analysed\":true")
                .contains("\"name\":\"e\"").contains("\"lineage\":\"known\"")
                .contains("\"column\":\"public.customers.email\"").contains("\"derived\":true")
                .contains("\"usage\":\"FILTER\"");
    }

    @Test
    void unparsableStatementFailsClosedInTheResponse() throws Exception {
        HttpResponse<String> r = post("api-admin", "api-admin-secret", """
                {"dialect": "postgresql", "database": "md5/shop", "sql": "SELEC ssn FROM customers"}""");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"analysed\":false").contains("\"failure\"").contains("\"lineage\":\"unknown\"");
    }

    @Test
    void withoutCredentialsTheAnswerIs401() throws Exception {
        HttpResponse<String> r = post(null, null, BODY);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    }

    @Test
    void wrongPasswordIs401() throws Exception {
        assertThat(post("api-admin", "nope", BODY).statusCode()).isEqualTo(401);
    }

    @Test
    void accountWithoutAdminRoleIs403() throws Exception {
        assertThat(post("api-analyst", "api-analyst-secret", BODY).statusCode()).isEqualTo(403);
    }

    @Test
    void unknownDialectIs400() throws Exception {
        assertThat(post("api-admin", "api-admin-secret", """
                {"dialect": "oracle", "database": "shop", "sql": "SELECT 1"}""").statusCode()).isEqualTo(400);
    }
}
