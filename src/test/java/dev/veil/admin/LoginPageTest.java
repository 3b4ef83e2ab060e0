package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.JwtParts;
import dev.veil.testing.KeycloakServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The /login page with its tenant pointed at the real Keycloak (client veil-web): a browser's cookie jar goes
 * through Veil's redirect, Keycloak's login form and back, and the page shows the user and a gateway token.
 * The admin API keeps its own Basic authentication beside it.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(LoginPageTest.WithKeycloak.class)
@QuarkusTestResource(VeilTestResource.class)
class LoginPageTest {

    public static class WithKeycloak implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("veil.identity.oidc.issuer", KeycloakServer.shared().issuer(),
                    "veil.identity.oidc.web-client-id", "veil-web",
                    "veil.identity.oidc.web-client-secret", "veil-web-secret");
        }
    }

    @TestHTTPResource("/login")
    URI login;

    @TestHTTPResource("/api/v1/audit")
    URI audit;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    private static HttpResponse<String> get(HttpClient browser, URI uri) throws Exception {
        return browser.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient browser() {
        CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        return HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Test
    void aliceSignsInThroughKeycloakAndSeesHerEmailGroupsConnectionStringsAndAGatewayToken() throws Exception {
        HttpClient browser = browser();
        HttpResponse<String> challenge = get(browser, login);
        assertThat(challenge.statusCode()).isEqualTo(302);
        String toKeycloak = challenge.headers().firstValue("Location").orElseThrow();
        assertThat(toKeycloak).startsWith(KeycloakServer.shared().authorizationEndpoint()).contains("client_id=veil-web");

        URI back = URI.create(KeycloakServer.shared().followAuthorizationUrl(toKeycloak, "alice", "alice-password"));
        assertThat(back.getPath()).isEqualTo("/login");
        HttpResponse<String> landing = get(browser, back);
        HttpResponse<String> page = landing.statusCode() == 302
                ? get(browser, login.resolve(landing.headers().firstValue("Location").orElseThrow())) : landing;

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        String html = page.body();
        assertThat(text(html, "dd", "email")).isEqualTo("alice@example.com");
        assertThat(text(html, "dd", "groups")).isEqualTo("analysts");
        String token = text(html, "textarea", "token");
        JsonNode claims = JwtParts.claims(token);
        assertThat(claims.path("email").asText()).isEqualTo("alice@example.com");
        assertThat(claims.path("azp").asText()).isEqualTo("veil-web");
        List<String> aud = new ArrayList<>();
        if (claims.path("aud").isArray()) {
            claims.get("aud").forEach(a -> aud.add(a.asText()));
        } else {
            aud.add(claims.path("aud").asText()); // a single audience may be a plain string (RFC 7519 §4.1.3)
        }
        assertThat(aud).contains("veil-gateway");
        assertThat(text(html, "pre", "psql")).isEqualTo("PGPASSWORD='<token>' psql \"host=127.0.0.1 port="
                + VeilTestResource.veilPort() + " user=alice@example.com dbname=shop sslmode=require\"");
        assertThat(text(html, "pre", "jdbc")).isEqualTo("jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort()
                + "/shop?user=alice%40example.com&sslmode=require");
        assertThat(text(html, "pre", "mysql")).contains("--port=" + VeilTestResource.veilMySqlPort(), "--user=alice@example.com",
                "--enable-cleartext-plugin");

        // The session cookie is scoped to /login: reloading shows the page again without another sign-in.
        HttpResponse<String> reload = get(browser, login);
        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(text(reload.body(), "dd", "email")).isEqualTo("alice@example.com");
    }

    @Test
    void theAdminApiHealthAndMetricsIgnoreTheLoginTenant() throws Exception {
        HttpClient browser = browser();
        HttpResponse<String> anonymous = get(browser, audit);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        HttpResponse<String> admin = browser.send(HttpRequest.newBuilder(URI.create(audit + "?limit=1"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (VeilTestResource.ADMIN_USER + ":" + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(get(browser, ready).statusCode()).isEqualTo(200);
        // metrics: Veil's Basic challenge (admin role), not a redirect to the identity provider
        HttpResponse<String> metrics = get(browser, ready.resolve("/q/metrics"));
        assertThat(metrics.statusCode()).isEqualTo(401);
        assertThat(metrics.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(browser.send(HttpRequest.newBuilder(ready.resolve("/q/metrics")).header("Authorization", VeilTestResource.adminAuthorization())
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // a path that merely starts with "login" is not the page
        assertThat(get(browser, login.resolve("/loginx")).statusCode()).isEqualTo(404);
    }

    private static String text(String html, String tag, String id) {
        Matcher m = Pattern.compile("<" + tag + " id=\"" + id + "\"[^>]*>(.*?)</" + tag + ">", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("<%s id=%s> in %s", tag, id, html).isTrue();
        return m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }
}
