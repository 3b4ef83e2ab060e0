package dev.veil.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.identity.oidc.ProviderSettings;
import dev.veil.testing.CuttableProxy;
import dev.veil.testing.JwtParts;
import dev.veil.testing.KeycloakServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Fault: the identity provider (a real Keycloak) becomes unreachable. Keycloak takes too long to stop and start
 * inside a test, so Veil reaches it through a proxy the test cuts and heals; tokens are issued through the same
 * proxy, so their issuer is the proxy's address and only this test's provider accepts them. Every wait is bounded.
 */
@Tag("servers")
@Tag("faults")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class IdentityProviderDownTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String USER = "carol";

    @Inject
    OidcProviders providers;

    @Test
    void cachedKeysKeepWorkingANewKeyFailsClosedAndServiceReturnsWithTheProvider() throws Exception {
        KeycloakServer keycloak = KeycloakServer.shared();
        try (CuttableProxy proxy = new CuttableProxy("127.0.0.1", keycloak.port())) {
            String issuer = "http://127.0.0.1:" + proxy.port() + "/realms/" + KeycloakServer.REALM;
            // Unknown key ids re-read the keys every time (0): nothing but the provider's absence can refuse them.
            providers.register(new ProviderSettings("keycloak-down", issuer, Set.of("veil-gateway"), Optional.empty(),
                    List.of("email", "preferred_username"), "groups", Map.of(),
                    new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS), Duration.ofSeconds(30),
                    Optional.empty(), Duration.ofMinutes(60), Duration.ZERO, Optional.empty(), Optional.empty()));

            String cached = token(issuer);
            try (Connection c = pg(cached)) {
                assertThat(one(c, "SELECT 'keys fetched'")).isEqualTo("keys fetched");
            }
            Thread.sleep(500); // past jose4j's 300 ms refresh reprieve after the first key fetch
            String kid = keycloak.rotateSigningKey();
            try {
                String rotated = token(issuer);
                assertThat(JwtParts.header(rotated).path("kid").asText()).isEqualTo(kid);

                proxy.cut();
                try (Connection c = pg(cached)) {
                    assertThat(one(c, "SELECT 'cached key'")).isEqualTo("cached key");
                }
                SQLException refused = catchThrowableOfType(() -> pg(rotated).close(), SQLException.class);
                assertThat((Throwable) refused).as("a token with a key id Veil cannot read is refused").isNotNull();
                assertThat(refused.getSQLState()).isIn("28000", "28P01");
                assertThat(refused.getMessage()).contains("identity provider " + issuer);
                // Veil stays usable for everyone else meanwhile.
                try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("main/shop", ""), VeilTestResource.USER,
                        VeilTestResource.PASSWORD)) {
                    assertThat(one(c, "SELECT 'local account'")).isEqualTo("local account");
                }

                proxy.heal();
                assertThat(afterHeal(rotated)).isEqualTo("provider back");
            } finally {
                keycloak.disableSigningKey(kid);
            }
        }
    }

    /** The new key is read once the provider answers again; a login may still race the first read. */
    private static String afterHeal(String token) throws Exception {
        SQLException last = null;
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = pg(token)) {
                return one(c, "SELECT 'provider back'");
            } catch (SQLException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the token was still refused " + BOUND + " after the provider came back", last);
    }

    /** A password grant through the proxy, so that the token's issuer is the proxy's address. */
    private static String token(String issuer) throws Exception {
        Map<String, String> form = Map.of("grant_type", "password", "client_id", "veil-cli", "username", USER,
                "password", USER + "-password", "scope", "openid");
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(issuer + "/protocol/openid-connect/token")).timeout(BOUND)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body()).path("access_token").asText();
    }

    private static Connection pg(String token) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER + "@example.com");
        p.setProperty("password", token);
        p.setProperty("socketTimeout", String.valueOf(BOUND.toSeconds()));
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort() + "/postgres?sslmode=require", p);
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
