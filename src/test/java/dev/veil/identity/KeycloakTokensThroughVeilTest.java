package dev.veil.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.identity.oidc.ProviderSettings;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.JwtParts;
import dev.veil.testing.KeycloakServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Real tokens from a real provider (Keycloak, realm src/test/resources/keycloak/veil-realm.json) through Veil,
 * with pgjdbc, MySQL Connector/J, psql and the mariadb client, and the provider-side attacks: another client's
 * token, a tampered token, a token whose session was ended at the provider (introspection), key rotation.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class KeycloakTokensThroughVeilTest {
    private static volatile boolean registered;

    @Inject
    OidcProviders providers;

    private static KeycloakServer keycloak() {
        return KeycloakServer.shared();
    }

    @BeforeEach
    void trustKeycloak() {
        if (!registered) {
            // Registered at run time, so that only this class waits for Keycloak to start; introspection with
            // the audience client's credentials makes a provider-side logout end the token's use at once.
            providers.register(new ProviderSettings("keycloak", keycloak().issuer(), Set.of("veil-gateway"), Optional.empty(),
                    List.of("email", "preferred_username"), "groups",
                    Map.of("analysts", "analyst", "engineers", "engineer", "admins", "admin"),
                    new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS), Duration.ofSeconds(30),
                    Optional.empty(), Duration.ofMinutes(60), Duration.ofMinutes(1), Optional.empty(),
                    Optional.of(new ProviderSettings.ClientCredentials("veil-gateway", "veil-gateway-secret"))));
            registered = true;
        }
    }

    private static String token(String user) {
        return keycloak().passwordGrant("veil-cli", null, user, user + "-password").accessToken();
    }

    private static Connection pg(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort() + "/postgres?sslmode=require", p);
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static SQLException refusal(String user, String token) {
        SQLException e = catchThrowableOfType(() -> pg(user, token).close(), SQLException.class);
        assertThat((Throwable) e).as("refused").isNotNull();
        assertThat(e.getSQLState()).isEqualTo("28P01");
        return e;
    }

    @Test
    void pgjdbcConnectsWithAKeycloakAccessTokenAndGetsTheMappedRole() throws Exception {
        try (Connection c = pg("alice@example.com", token("alice"))) {
            assertThat(one(c, "SELECT 'through veil'")).isEqualTo("through veil");
        }
        JsonNode started = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("session.started")
                && r.path("identity").path("name").asText().equals("alice@example.com")
                && r.path("identity").path("provider").asText().equals("keycloak"), 1).get(0);
        assertThat(started.path("identity").path("roles").toString()).isEqualTo("[\"analyst\"]");
        assertThat(started.path("identity").path("source").asText()).isEqualTo("oidc_token");
    }

    @Test
    void mysqlConnectorJConnectsWithAKeycloakToken() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "bob@example.com");
        p.setProperty("password", token("bob"));
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", "sslMode=REQUIRED"), p)) {
            assertThat(one(c, "SELECT 6 * 7")).isEqualTo("42");
        }
    }

    @Test
    void aClientCredentialsTokenOpensAServiceSession() throws Exception {
        String t = keycloak().clientCredentials("svc-reporting", "svc-reporting-secret").accessToken();
        try (Connection c = pg("svc-reporting", t)) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
        JsonNode started = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("session.started")
                && r.path("identity").path("name").asText().equals("svc-reporting"), 1).get(0);
        assertThat(started.path("identity").path("source").asText()).isEqualTo("service_account");
    }

    @Test
    void aTokenIssuedToAnotherClientIsRefused() {
        String other = keycloak().passwordGrant("other-app", "other-app-secret", "alice", "alice-password").accessToken();
        assertThat(refusal("alice@example.com", other).getMessage()).contains("audience does not include veil-gateway");
    }

    @Test
    void aTamperedKeycloakTokenIsRefused() {
        String[] parts = token("dave").split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("dave@example.com", "carol@example.com");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertThat(refusal("carol@example.com", forged).getMessage()).contains("signature is not valid");
    }

    @Test
    void aTokenWhoseSessionWasEndedAtTheProviderIsRefused() throws Exception {
        String t = token("carol");
        try (Connection c = pg("carol@example.com", t)) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
        keycloak().logoutUser("carol");
        assertThat(refusal("carol@example.com", t).getMessage()).contains("no longer active");
    }

    @Test
    void aRotatedSigningKeyIsPickedUp() throws Exception {
        try (Connection c = pg("dave@example.com", token("dave"))) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
        Thread.sleep(500); // past jose4j's 300 ms refresh reprieve after the first key fetch
        String kid = keycloak().rotateSigningKey();
        try {
            String t = token("dave");
            assertThat(JwtParts.header(t).path("kid").asText()).isEqualTo(kid);
            try (Connection c = pg("dave@example.com", t)) {
                assertThat(one(c, "SELECT 2")).isEqualTo("2");
            }
        } finally {
            keycloak().disableSigningKey(kid);
        }
    }

    @Test
    void psqlConnectsWithAKeycloakTokenInPgpassword() throws Exception {
        Path psql = onPath("psql");
        Assumptions.assumeTrue(psql != null, "psql is not installed here (.ci/run installs postgresql-client)");
        ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-A", "-t", "-h", "127.0.0.1", "-p",
                String.valueOf(VeilTestResource.veilPort()), "-U", "alice@example.com", "-d", "postgres", "-c", "SELECT 'psql ok'");
        pb.environment().put("PGPASSWORD", token("alice"));
        pb.environment().put("PGSSLMODE", "require");
        assertThat(run(pb)).isEqualTo("psql ok");
    }

    @Test
    void theMariadbClientConnectsWithAKeycloakTokenOverTls() throws Exception {
        Path client = onPath("mariadb");
        Assumptions.assumeTrue(client != null, "the mariadb client is not installed here (.ci/run installs mariadb-client)");
        ProcessBuilder pb = new ProcessBuilder(client.toString(), "--no-defaults", "-h", "127.0.0.1", "-P",
                String.valueOf(VeilTestResource.veilMySqlPort()), "-u", "bob@example.com", "--ssl", "--skip-ssl-verify-server-cert",
                "-N", "-B", "-e", "SELECT 'mariadb ok'", "shop");
        pb.environment().put("MYSQL_PWD", token("bob"));
        assertThat(run(pb)).isEqualTo("mariadb ok");
    }

    private static String run(ProcessBuilder pb) throws Exception {
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
