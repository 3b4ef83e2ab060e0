package dev.veil.admin;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and metrics do not hand out the topology: without credentials, the health views give status only
 * (probes keep working) and everything else under /q/ is refused; an admin sees upstreams with host:port,
 * databases and catalogs; another account is refused.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class ManagementExposureTest {
    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    /** A session to main/shop, so that a pool and a catalog of that database exist to be (not) shown. */
    @BeforeAll
    static void useTheShopDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", "preferQueryMode=simple"),
                VeilTestResource.USER, VeilTestResource.PASSWORD); Statement st = c.createStatement()) {
            st.execute("SELECT count(*) FROM customers");
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void probesAnswerWithoutCredentialsAndShowNoTopology() throws Exception {
        String upstreamPort = String.valueOf(VeilTestResource.server().port());
        for (String path : new String[] {"/q/health/ready", "/q/health/live", "/q/health", "/q/health/ready/"}) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).contains("\"status\":\"UP\"")
                    .doesNotContain(upstreamPort).doesNotContain("127.0.0.1").doesNotContain("shop")
                    .doesNotContain("upstream.").doesNotContain("catalog.").doesNotContain("pool.")
                    .doesNotContain(VeilTestResource.auditDirectory().toString()).doesNotContain("data");
        }
        assertThat(get("/q/health/ready", null).body()).contains("veil-upstreams").contains("veil-catalogs")
                .contains("veil-listeners").contains("veil-audit");
    }

    @Test
    void metricsAndOtherManagementPathsNeedCredentials() throws Exception {
        for (String path : new String[] {"/q/metrics", "/q/metrics/", "/q//metrics", "/q/health/../metrics", "/q/info"}) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(r.body()).as(path).contains("admin role").doesNotContain("veil_upstream_pool").doesNotContain("shop");
        }
    }

    @Test
    void anAdminSeesUpstreamsDatabasesAndCatalogs() throws Exception {
        String admin = VeilTestResource.adminAuthorization();
        HttpResponse<String> ready = get("/q/health/ready", admin);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("upstream.main").contains(":" + VeilTestResource.server().port())
                .contains("catalog.main/shop").contains(VeilTestResource.auditDirectory().toString());
        HttpResponse<String> metrics = get("/q/metrics", admin);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).containsPattern("veil_upstream_pool_size\\{[^}]*database=\"shop\"[^}]*upstream=\"main\"");
    }

    @Test
    void otherAccountsAndWrongCredentialsAreRefused() throws Exception {
        String user = "Basic " + Base64.getEncoder().encodeToString(
                (VeilTestResource.USER + ":" + VeilTestResource.PASSWORD).getBytes(StandardCharsets.UTF_8));
        String wrong = "Basic " + Base64.getEncoder().encodeToString(
                (VeilTestResource.ADMIN_USER + ":wrong").getBytes(StandardCharsets.UTF_8));
        for (String path : new String[] {"/q/metrics", "/q/health/ready"}) {
            HttpResponse<String> notAdmin = get(path, user);
            assertThat(notAdmin.statusCode()).as(path).isEqualTo(403);
            assertThat(notAdmin.body()).as(path).contains("admin role").doesNotContain("shop");
            HttpResponse<String> refused = get(path, wrong);
            assertThat(refused.statusCode()).as(path).isEqualTo(401);
            assertThat(refused.body()).as(path).doesNotContain("shop");
        }
    }
}
