package dev.veil.approval.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.CookieManager;
import java.net.CookiePolicy;
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
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Just-in-time access through a real Veil: an engineer asks for admin over the HTTP API, another identity approves,
 * and new pgjdbc (and MariaDB Connector/J) sessions of that engineer read what only admins may while its older
 * session still cannot; revocation and expiry end the sessions opened under the grant with 57P01; denial,
 * self-approval and requests beyond the policy are refused; break-glass grants at once with its own audit event;
 * the console's Access page decides and revokes with its CSRF token.
 * Grants live in the suite's PostgreSQL (the audit table's database).
 */
@Tag("servers")
@QuarkusTest
@TestProfile(AccessTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class AccessThroughVeilTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "SELECT count(*) FROM acc_secret";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void secrets() throws SQLException {
        try (Connection c = pg("erin"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS acc_secret (id int)");
        }
    }

    private static Connection pg(String user) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", "assumeMinServerVersion=9.4"), user,
                AccessTestProfile.password(user));
    }

    private HttpResponse<String> api(String method, String path, String body, String user) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + AccessTestProfile.password(user))
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", basic)
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String request(String user, String duration) throws Exception {
        HttpResponse<String> r = api("POST", "/api/v1/access/requests",
                "{\"role\": \"admin\", \"for\": \"" + duration + "\", \"reason\": \"INC-7: orders index\"}", user);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.path("status").asText()).isEqualTo("pending");
        return j.path("id").asText();
    }

    private HttpResponse<String> asLead(String id, String action) throws Exception {
        return api("POST", "/api/v1/access/requests/" + id + "/" + action, "{\"reason\": \"on call\"}", AccessTestProfile.LEAD);
    }

    /** Whether the session may read the admins' table (the policy refuses others with 42501). */
    private static boolean readsSecrets(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SECRET)) {
            rs.next();
            return true;
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState()) && e.getMessage().contains("secrets-for-admins")) {
                return false;
            }
            throw e;
        }
    }

    /** The error that ends the session, once Veil has ended it. */
    private static SQLException awaitEnd(Connection c) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT 1");
            } catch (SQLException e) {
                return e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the session opened under the grant was not ended");
    }

    @Test
    void anApprovedGrantGivesNewSessionsTheRoleAndARevocationEndsThem() throws Exception {
        try (Connection before = pg("erin")) {
            assertThat(readsSecrets(before)).isFalse();
            String id = request("erin", "30m");

            HttpResponse<String> self = api("POST", "/api/v1/access/requests/" + id + "/approve", "{}", "erin");
            assertThat(self.statusCode()).isEqualTo(403);
            assertThat(self.body()).contains("self-approval");
            HttpResponse<String> peer = api("POST", "/api/v1/access/requests/" + id + "/approve", "{}", "emil");
            assertThat(peer.statusCode()).as("an engineer is no approver").isEqualTo(403);

            HttpResponse<String> ok = asLead(id, "approve");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("status").asText()).isEqualTo("granted");

            assertThat(readsSecrets(before)).as("a session opened before the grant keeps its roles").isFalse();
            try (Connection after = pg("erin")) {
                assertThat(readsSecrets(after)).as("a new session holds admin").isTrue();
                assertThat(readsSecrets(before)).isFalse();

                HttpResponse<String> revoked = asLead(id, "revoke");
                assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
                SQLException ended = awaitEnd(after);
                assertThat(ended.getSQLState()).isEqualTo("57P01");
                assertThat(ended.getMessage()).contains("access grant " + id).contains("revoked by lead");
            }
            assertThat(readsSecrets(before)).as("the older session goes on").isFalse();
            try (Connection again = pg("erin")) {
                assertThat(readsSecrets(again)).isFalse();
            }
            List<JsonNode> actions = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("admin.action")
                    && r.path("detail").path("id").asText().equals(id), 4);
            assertThat(actions).extracting(r -> r.path("action").asText() + " " + r.path("actor").asText() + " " + r.path("ok").asBoolean())
                    .contains("access.approve erin true", "access.approve erin false", "access.approve lead true",
                            "access.revoke lead true");
        }
    }

    @Test
    void theConsolesAccessPageApprovesAndRevokesWithItsCsrfToken() throws Exception {
        String id = request("enno", "30m");
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        String signIn = csrf(get(browser, "/console/signin").body());
        assertThat(post(browser, "/console/signin", "user=" + AccessTestProfile.LEAD + "&password="
                + AccessTestProfile.password(AccessTestProfile.LEAD) + "&csrf=" + enc(signIn)).statusCode()).isEqualTo(303);

        HttpResponse<String> page = get(browser, "/console/access");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<tr id=\"pending-" + id + "\">").contains("enno").contains("INC-7: orders index")
                .contains("<a href=\"/console/access\"");
        String csrf = csrf(page.body());
        HttpResponse<String> forged = post(browser, "/console/access/" + id + "/decide", "decision=approve");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(api("GET", "/api/v1/access/requests/" + id, null, "enno").body()).path("status").asText())
                .isEqualTo("pending");

        assertThat(post(browser, "/console/access/" + id + "/decide", "decision=approve&reason=ok&csrf=" + enc(csrf))
                .statusCode()).isEqualTo(303);
        try (Connection c = pg("enno")) {
            assertThat(readsSecrets(c)).isTrue();
            assertThat(get(browser, "/console/access").body()).contains("<tr id=\"active-" + id + "\">");
            assertThat(post(browser, "/console/access/" + id + "/decide", "decision=revoke&reason=done&csrf=" + enc(csrf))
                    .statusCode()).isEqualTo(303);
            assertThat(awaitEnd(c).getSQLState()).isEqualTo("57P01");
        }
        assertThat(JSON.readTree(api("GET", "/api/v1/access/requests/" + id, null, "enno").body()).path("status").asText())
                .isEqualTo("revoked");
        assertThat(AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("admin.action")
                && r.path("target").asText().equals("/console/access/" + id), 2))
                .extracting(r -> r.path("action").asText()).contains("access.approve", "access.revoke");
    }

    private HttpResponse<String> get(HttpClient browser, String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(HttpClient browser, String path, String form) throws Exception {
        return browser.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF token in %s", html).isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aGrantEndsOnItsOwnAtItsExpiry() throws Exception {
        String id = request("edda", "8s");
        assertThat(asLead(id, "approve").statusCode()).isEqualTo(200);
        try (Connection under = pg("edda")) {
            assertThat(readsSecrets(under)).isTrue();
            SQLException ended = awaitEnd(under);
            assertThat(ended.getSQLState()).isEqualTo("57P01");
            assertThat(ended.getMessage()).contains("access grant " + id).contains("ended at");
        }
        try (Connection later = pg("edda")) {
            assertThat(readsSecrets(later)).isFalse();
        }
        HttpResponse<String> shown = api("GET", "/api/v1/access/requests/" + id, null, "edda");
        assertThat(JSON.readTree(shown.body()).path("status").asText()).isEqualTo("expired");
    }

    @Test
    void aDeniedRequestGrantsNothing() throws Exception {
        String id = request("egon", "30m");
        HttpResponse<String> no = asLead(id, "deny");
        assertThat(no.statusCode()).as(no.body()).isEqualTo(200);
        assertThat(JSON.readTree(no.body()).path("status").asText()).isEqualTo("denied");
        assertThat(asLead(id, "approve").statusCode()).isEqualTo(409);
        try (Connection c = pg("egon")) {
            assertThat(readsSecrets(c)).isFalse();
        }
    }

    @Test
    void requestsBeyondThePolicyAreRefusedSayingWhy() throws Exception {
        HttpResponse<String> tooLong = api("POST", "/api/v1/access/requests",
                "{\"role\": \"admin\", \"for\": \"2h\", \"reason\": \"all day\"}", "emil");
        assertThat(tooLong.statusCode()).isEqualTo(403);
        assertThat(tooLong.body()).contains("at most 1h");
        HttpResponse<String> unlisted = api("POST", "/api/v1/access/requests",
                "{\"role\": \"engineer\", \"for\": \"1h\", \"reason\": \"x\"}", AccessTestProfile.LEAD);
        assertThat(unlisted.statusCode()).isEqualTo(403);
        assertThat(unlisted.body()).contains("cannot be requested");
        HttpResponse<String> noReason = api("POST", "/api/v1/access/requests", "{\"role\": \"admin\", \"for\": \"1h\"}", "emil");
        assertThat(noReason.statusCode()).isEqualTo(400);
        assertThat(noReason.body()).contains("reason");
        HttpResponse<String> notAdmin = api("POST", "/api/v1/access/requests",
                "{\"role\": \"admin\", \"for\": \"1h\", \"reason\": \"x\"}", AccessTestProfile.LEAD);
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        assertThat(notAdmin.body()).contains("already hold");
    }

    @Test
    void breakGlassGrantsAtOnceOnBothWiresWithItsOwnAuditEvent() throws Exception {
        try (Connection m = DriverManager.getConnection(VeilTestResource.veilMariadbUrl(MariaDbServer.DATABASE, ""),
                "elke", AccessTestProfile.password("elke")); Statement st = m.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS acc_secret_m (id int)");
            SQLException refused = catchThrowableOfType(() -> st.executeQuery("SELECT count(*) FROM acc_secret_m"),
                    SQLException.class);
            assertThat(refused.getMessage()).contains("secrets-for-admins");
        }
        HttpResponse<String> noReason = api("POST", "/api/v1/access/break-glass", "{\"role\": \"admin\", \"for\": \"30m\"}", "elke");
        assertThat(noReason.statusCode()).isEqualTo(400);

        HttpResponse<String> glass = api("POST", "/api/v1/access/break-glass",
                "{\"role\": \"admin\", \"for\": \"30m\", \"reason\": \"checkout is down\"}", "elke");
        assertThat(glass.statusCode()).as(glass.body()).isEqualTo(201);
        JsonNode grant = JSON.readTree(glass.body());
        assertThat(grant.path("status").asText()).isEqualTo("granted");
        assertThat(grant.path("breakGlass").asBoolean()).isTrue();
        String id = grant.path("id").asText();

        try (Connection c = pg("elke")) {
            assertThat(readsSecrets(c)).isTrue();
        }
        try (Connection m = DriverManager.getConnection(VeilTestResource.veilMariadbUrl(MariaDbServer.DATABASE, ""),
                "elke", AccessTestProfile.password("elke")); Statement st = m.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM acc_secret_m")) {
            assertThat(rs.next()).isTrue();
        }
        JsonNode event = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("access.break-glass")
                && r.path("grant").asText().equals(id), 1).get(0);
        assertThat(event.path("identityName").asText()).isEqualTo("elke");
        assertThat(event.path("role").asText()).isEqualTo("admin");
        assertThat(event.path("reason").asText()).isEqualTo("checkout is down");
        assertThat(event.path("minutes").asLong()).isEqualTo(30);
        assertThat(asLead(id, "revoke").statusCode()).isEqualTo(200);
    }
}
