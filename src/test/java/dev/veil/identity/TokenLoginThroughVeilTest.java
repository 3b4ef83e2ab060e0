package dev.veil.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.LocalOidcProvider;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * OIDC tokens as database passwords, end to end: pgjdbc and both Connector/Js through Veil, with tokens signed
 * by the suite's local provider (real HTTP discovery and JWKS). Refusals arrive as 28P01 / 1045 with the reason,
 * and are audited.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class TokenLoginThroughVeilTest {
    private static final String ALICE = "alice.local@example.com";

    private static LocalOidcProvider idp() {
        return VeilTestResource.idp();
    }

    private static Connection pg(String user, String password, String sslmode) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        String url = "jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort() + "/postgres?sslmode=" + sslmode;
        return DriverManager.getConnection(url, p);
    }

    private static Connection mysqlCj(String user, String password, String params) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", params), p);
    }

    private static Connection mariadbCj(String user, String password, String params) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", params), p);
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static JsonNode sessionStartedFor(String user) throws Exception {
        return AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("session.started")
                && r.path("identity").path("name").asText().equals(user), 1).get(0);
    }

    private static SQLException pgRefusal(String user, String token) {
        SQLException e = catchThrowableOfType(() -> pg(user, token, "disable").close(), SQLException.class);
        assertThat((Throwable) e).as("refused").isNotNull();
        return e;
    }

    @Test
    void psqlUsersConnectWithAnAccessTokenAsPassword() throws Exception {
        try (Connection c = pg(ALICE, idp().token(ALICE, "analysts"), "disable")) {
            assertThat(one(c, "SELECT 40 + 2")).isEqualTo("42");
        }
        JsonNode started = sessionStartedFor(ALICE);
        assertThat(started.path("identity").path("source").asText()).isEqualTo("oidc_token");
        assertThat(started.path("identity").path("provider").asText()).isEqualTo("local");
        assertThat(started.path("identity").path("roles").toString()).isEqualTo("[\"analyst\"]");
        // the token's groups as the provider wrote them, before the role-map: what policy bindings (and replays) read
        assertThat(started.path("identity").path("groups").toString()).isEqualTo("[\"analysts\"]");
    }

    @Test
    void tokensTravelInsideTls() throws Exception {
        String user = "tls-user@example.com";
        try (Connection c = pg(user, idp().token(user, "admins"), "require")) {
            assertThat(one(c, "SELECT current_setting('server_version_num') IS NOT NULL")).isEqualTo("t");
        }
        JsonNode started = sessionStartedFor(user);
        assertThat(started.path("tls").asBoolean()).isTrue();
        assertThat(started.path("identity").path("roles").toString()).isEqualTo("[\"admin\"]");
    }

    @Test
    void aTwelveKilobyteTokenStillFitsBeforeLogin() throws Exception {
        // Tokens carrying hundreds of group ids are common; messages before login are capped at 16 kB.
        String user = "many-groups@example.com";
        String[] groups = new String[251];
        groups[0] = "analysts";
        for (int i = 1; i < groups.length; i++) {
            groups[i] = String.format("5f0c2a4e-%04x-4b7e-9d2c-%012x", i, i * 7919L);
        }
        String token = idp().token(user, groups);
        assertThat(token.length()).as("longer than a startup packet may be").isBetween(12_000, 15_000);
        try (Connection c = pg(user, token, "disable")) {
            assertThat(one(c, "SELECT 'fits'")).isEqualTo("fits");
        }
        try (Connection c = mysqlCj(user, token, "sslMode=REQUIRED")) {
            assertThat(one(c, "SELECT 'fits'")).isEqualTo("fits");
        }
    }

    @Test
    void theUserNameMayBeThePreferredUsername() throws Exception {
        try (Connection c = pg("carol", idp().token("carol@example.com"), "disable")) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void refusalsSayWhatWasWrongAndAreAudited() throws Exception {
        JwtClaims expired = idp().claims("mallory@example.com");
        expired.setIssuedAt(NumericDate.fromSeconds(Instant.now().minusSeconds(900).getEpochSecond()));
        expired.setExpirationTime(NumericDate.fromSeconds(Instant.now().minusSeconds(300).getEpochSecond()));
        SQLException e = pgRefusal("mallory@example.com", idp().sign(expired));
        assertThat(e.getSQLState()).isEqualTo("28P01");
        assertThat(e.getMessage()).contains("expired at");

        JwtClaims otherClient = idp().claims("mallory@example.com");
        otherClient.setAudience("other-app");
        e = pgRefusal("mallory@example.com", idp().sign(otherClient));
        assertThat(e.getSQLState()).isEqualTo("28P01");
        assertThat(e.getMessage()).contains("audience does not include veil-gateway");

        e = pgRefusal("mallory@example.com", idp().token(ALICE, "admins"));
        assertThat(e.getSQLState()).isEqualTo("28P01");
        assertThat(e.getMessage()).contains("does not belong to user \"mallory@example.com\"");

        try (LocalOidcProvider stranger = new LocalOidcProvider()) {
            e = pgRefusal("mallory@example.com", stranger.token("mallory@example.com"));
        }
        assertThat(e.getMessage()).contains("is not an identity provider Veil trusts");

        e = pgRefusal("mallory@example.com", "not-a-token-and-not-a-password");
        assertThat(e.getSQLState()).isEqualTo("28P01");

        var failures = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("auth.failed")
                && r.path("user").asText().equals("mallory@example.com"), 5);
        assertThat(failures).extracting(r -> r.path("reason").asText())
                .anyMatch(reason -> reason.contains("expired at"))
                .anyMatch(reason -> reason.contains("audience"))
                .allMatch(reason -> !reason.contains("eyJ"));
    }

    @Test
    void aSessionEndsWhenItsTokenExpires() throws Exception {
        String user = "short-lived@example.com";
        JwtClaims c = idp().claims(user);
        expiredWithinTheSkew(c);
        try (Connection conn = pg(user, idp().sign(c), "disable")) {
            assertThat(one(conn, "SELECT 1")).isEqualTo("1");
            SQLException ended = awaitEnd(conn);
            assertThat(ended.getSQLState()).isEqualTo("57P01");
            assertThat(ended.getMessage()).contains("token this session was opened with expired");
        }
    }

    /**
     * Expired 20 s ago: within the 30 s clock skew, so the token still opens a session, which Veil ends once the skew
     * is over, about 10 s later (the connection has that long to open; awaitEnd waits up to 30 s more).
     */
    private static void expiredWithinTheSkew(JwtClaims c) {
        c.setIssuedAt(NumericDate.fromSeconds(Instant.now().minusSeconds(60).getEpochSecond()));
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().minusSeconds(20).getEpochSecond()));
    }

    /** Runs a trivial query until the session is ended by Veil (bounded, so a broken sweep fails instead of hanging). */
    private static SQLException awaitEnd(Connection conn) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            try {
                one(conn, "SELECT 1");
            } catch (SQLException e) {
                return e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the session was not ended after its token expired");
    }

    @Test
    void serviceAccountsAuthenticateWithScramAgainstAConfiguredVerifier() throws Exception {
        try (Connection c = pg(VeilTestResource.SERVICE_ACCOUNT, VeilTestResource.SERVICE_SECRET, "disable")) {
            assertThat(one(c, "SELECT 7")).isEqualTo("7");
        }
        JsonNode started = sessionStartedFor(VeilTestResource.SERVICE_ACCOUNT);
        assertThat(started.path("identity").path("source").asText()).isEqualTo("service_account");
        assertThat(started.path("identity").path("roles").toString()).isEqualTo("[\"reporting\"]");
        SQLException e = pgRefusal(VeilTestResource.SERVICE_ACCOUNT, "wrong-secret");
        assertThat(e.getSQLState()).isEqualTo("28P01");
    }

    @Test
    void mysqlConnectorJSendsTheTokenThroughCachingSha2FullAuthenticationInsideTls() throws Exception {
        String user = "mysql-user@example.com";
        try (Connection c = mysqlCj(user, idp().token(user, "analysts"), "sslMode=REQUIRED")) {
            assertThat(one(c, "SELECT 6 * 7")).isEqualTo("42");
        }
        assertThat(sessionStartedFor(user).path("protocol").asText()).isEqualTo("mysql");
    }

    @Test
    void mariadbConnectorJIsSwitchedToClearPasswordInsideTls() throws Exception {
        // MariaDB Connector/J answers with mysql_native_password and sends a clear password only inside TLS.
        String user = "mariadb-user@example.com";
        try (Connection c = mariadbCj(user, idp().token(user), "sslMode=trust")) {
            assertThat(one(c, "SELECT 'ok'")).isEqualTo("ok");
        }
    }

    @Test
    void mysqlRefusalsAre1045WithTheReason() {
        JwtClaims otherClient = idp().claims("eve@example.com");
        otherClient.setAudience("other-app");
        SQLException e = catchThrowableOfType(() -> mysqlCj("eve@example.com", idp().sign(otherClient), "sslMode=REQUIRED").close(),
                SQLException.class);
        assertThat(e.getErrorCode()).isEqualTo(1045);
        assertThat(e.getMessage()).contains("Access denied for user 'eve@example.com'").contains("audience");
    }

    @Test
    void mysqlServiceAccountsSendTheirSecretInsideTls() throws Exception {
        try (Connection c = mysqlCj(VeilTestResource.SERVICE_ACCOUNT, VeilTestResource.SERVICE_SECRET, "sslMode=REQUIRED")) {
            assertThat(one(c, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void aMysqlSessionEndsWhenItsTokenExpires() throws Exception {
        String user = "mysql-short@example.com";
        JwtClaims c = idp().claims(user);
        expiredWithinTheSkew(c);
        try (Connection conn = mysqlCj(user, idp().sign(c), "sslMode=REQUIRED")) {
            assertThat(one(conn, "SELECT 1")).isEqualTo("1");
            SQLException ended = awaitEnd(conn);
            assertThat(ended.getMessage()).contains("expired");
        }
    }
}
