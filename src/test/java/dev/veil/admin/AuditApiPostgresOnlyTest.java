package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditCodec;
import dev.veil.audit.FileAuditSink;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/audit} of a Veil whose only audit sink is the control-plane table. */
@Tag("servers")
@QuarkusTest
@TestProfile(AuditApiPostgresOnlyTest.TableOnly.class)
@QuarkusTestResource(VeilTestResource.class)
class AuditApiPostgresOnlyTest {
    public static class TableOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("veil.audit.file.enabled", "false");
        }
    }

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String query) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/api/v1/audit?" + query))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (VeilTestResource.ADMIN_USER + ":" + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new AuditCodec().mapper().readTree(r.body());
    }

    @Test
    void searchesTheTableWhenItIsTheOnlySink() throws Exception {
        String app = "api-table-" + UUID.randomUUID();
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "assumeMinServerVersion=9.4&preferQueryMode=simple&ApplicationName=" + app),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.execute("SELECT count(*) FROM customers");
        }
        JsonNode sessions = json(get("identity=" + VeilTestResource.USER + "&type=session.started&limit=1000"));
        assertThat(sessions).anySatisfy(j -> assertThat(j.path("applicationName").asText()).isEqualTo(app));
        sessions.forEach(j -> assertThat(j.path("type").asText()).isEqualTo("session.started"));
        JsonNode decided = json(get("identity=" + VeilTestResource.USER + "&relation=customers&decision=allow&limit=1000"));
        assertThat(decided).anySatisfy(j -> assertThat(j.path("statement").asText()).isEqualTo("SELECT count(*) FROM customers"));

        // Each call was recorded (in the table) before it was answered, so the next one finds it.
        JsonNode calls = json(get("type=admin.action&identity=" + VeilTestResource.ADMIN_USER + "&source=postgres"));
        assertThat(calls).anySatisfy(j -> assertThat(j.path("detail").path("relation").asText()).isEqualTo("customers"));
        assertThat(json(get("stream=another-instance"))).isEmpty();

        // Nothing came from files: there are none.
        assertThat(!Files.isDirectory(VeilTestResource.auditDirectory()) || FileAuditSink.files(VeilTestResource.auditDirectory()).isEmpty()).isTrue();
        HttpResponse<String> file = get("source=file");
        assertThat(file.statusCode()).isEqualTo(400);
        assertThat(file.body()).contains("file audit sink is not enabled");
        assertThat(get("source=elsewhere").statusCode()).isEqualTo(400);
    }
}
