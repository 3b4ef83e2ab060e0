package dev.veil.console;

import dev.veil.testing.HeadlessChromium;
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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console without an identity provider, as in demo mode: local accounts sign in on the console's own form.
 * In Chromium: an admin signs in and out, a wrong password and an account without the role are refused. Over
 * plain HTTP: the cookie's attributes, CSRF on every form, and read-only access for the auditor role.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(ConsoleLocalSignInTest.WithAnAuditor.class)
@QuarkusTestResource(VeilTestResource.class)
class ConsoleLocalSignInTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    public static class WithAnAuditor implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("veil.local-accounts.watcher.password", "watcher-secret",
                    "veil.local-accounts.watcher.roles", "auditor");
        }
    }

    @TestHTTPResource("/console")
    URI console;

    @Test
    void aLocalAdminSignsInOnTheFormBrowsesThePagesAndSignsOut() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(console.toString());
            assertThat(browser.findAll("#sso")).as("no identity provider: no SSO button").isEmpty();
            browser.screenshot(ConsoleBrowserTest.SCREENSHOTS.resolve("signin.png"));
            browser.await("#user").sendKeys(VeilTestResource.ADMIN_USER);
            browser.find("#password").sendKeys(VeilTestResource.ADMIN_PASSWORD);
            browser.find("#signin").click();
            assertThat(browser.await("#who").getText()).isEqualTo(VeilTestResource.ADMIN_USER + " (admin)");
            assertThat(browser.find("#records").getText()).contains("console.signin");

            browser.find("a[href='/console/sessions']").click();
            assertThat(browser.await("#sessions").getText()).contains("live session(s)");
            assertThat(browser.find("a[aria-current='page']").getText()).isEqualTo("Sessions");

            browser.find("#signout").click();
            browser.await("#signin");
            browser.open(console + "/audit");
            assertThat(browser.driver().getCurrentUrl()).endsWith("/console/signin");
        }
    }

    @Test
    void aWrongPasswordAndAnAccountWithoutTheRoleAreRefused() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(console + "/signin");
            browser.await("#user").sendKeys(VeilTestResource.ADMIN_USER);
            browser.find("#password").sendKeys("not-the-password");
            browser.find("#signin").click();
            assertThat(browser.await("#error").getText()).isEqualTo("The user name or password was not accepted.");

            browser.find("#user").clear();
            browser.find("#user").sendKeys(VeilTestResource.USER);
            browser.find("#password").sendKeys(VeilTestResource.PASSWORD);
            browser.find("#signin").click();
            assertThat(browser.await("#refused").getText()).contains("role admin (or auditor, read-only)",
                    VeilTestResource.USER + " holds");
            browser.open(console + "/audit");
            assertThat(browser.driver().getCurrentUrl()).endsWith("/console/signin");
        }
    }

    @Test
    void theCookieIsHttpOnlyAndStrictAndFormsWithoutTheirCsrfTokenAreRefused() throws Exception {
        HttpClient http = browser();
        HttpResponse<String> signedIn = signIn(http, VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD);
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(ConsoleSessions.COOKIE + "=").contains("; Path=/console", "; HttpOnly", "; SameSite=Strict"));

        HttpResponse<String> page = get(http, console + "/audit");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        String csrf = csrf(page.body());

        assertThat(post(http, console + "/audit/verify", "").statusCode()).isEqualTo(403);
        HttpResponse<String> forged = post(http, console + "/audit/verify", "csrf=" + csrf.substring(1));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("CSRF token is missing or stale");
        HttpResponse<String> verified = post(http, console + "/audit/verify", "csrf=" + enc(csrf));
        assertThat(verified.statusCode()).isEqualTo(200);
        assertThat(verified.body()).contains("Chain intact:");

        // the sign-in form carries its own token too
        HttpClient other = browser();
        get(other, console + "/signin");
        assertThat(post(other, console + "/signin", "user=" + VeilTestResource.ADMIN_USER + "&password="
                + VeilTestResource.ADMIN_PASSWORD).statusCode()).isEqualTo(403);
    }

    @Test
    void anAuditorReadsTheConsoleButCannotTerminateSessions() throws Exception {
        HttpClient http = browser();
        assertThat(signIn(http, "watcher", "watcher-secret").statusCode()).isEqualTo(303);
        HttpResponse<String> sessions = get(http, console + "/sessions");
        assertThat(sessions.statusCode()).isEqualTo(200);
        assertThat(sessions.body()).contains("watcher (auditor, read-only)").doesNotContain("Terminate");
        HttpResponse<String> terminate = post(http, console + "/sessions/1/terminate", "csrf=" + enc(csrf(sessions.body())));
        assertThat(terminate.statusCode()).isEqualTo(403);
        assertThat(terminate.body()).contains("This action needs the admin role; watcher has read-only (auditor) access.");
        assertThat(get(http, console + "/catalog").statusCode()).isEqualTo(200);
    }

    @Test
    void terminatingAMySqlSessionEndsItsRunningStatementWithError1927() throws Exception {
        HttpClient http = browser();
        assertThat(signIn(http, VeilTestResource.ADMIN_USER, VeilTestResource.ADMIN_PASSWORD).statusCode()).isEqualTo(303);
        Connection victim = DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
        CompletableFuture<SQLException> outcome = CompletableFuture.supplyAsync(() -> {
            try (Statement st = victim.createStatement()) {
                st.executeQuery("SELECT SLEEP(30.5)");
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
        try {
            Pattern row = Pattern.compile("<tr id=\"session-(\\d+)\">(?:(?!</tr>).)*SLEEP", Pattern.DOTALL);
            String id = null;
            String page = "";
            for (int attempt = 0; attempt < 120 && id == null; attempt++) {
                page = get(http, console + "/sessions").body();
                Matcher m = row.matcher(page);
                if (m.find()) {
                    id = m.group(1);
                } else {
                    Thread.sleep(250);
                }
            }
            assertThat(id).as("the MySQL session running SLEEP is listed in %s", page).isNotNull();
            assertThat(page).contains("mysql");
            HttpResponse<String> done = post(http, console + "/sessions/" + id + "/terminate", "csrf=" + enc(csrf(page)));
            assertThat(done.statusCode()).isEqualTo(303);
            SQLException e = outcome.get(20, TimeUnit.SECONDS);
            assertThat(e == null ? 0 : e.getErrorCode()).as("the client is told: ER_CONNECTION_KILLED").isEqualTo(1927);
            assertThat(e.getMessage()).contains("terminating connection due to administrator command",
                    VeilTestResource.ADMIN_USER + " ended this session from the Veil console");
        } finally {
            victim.close();
        }
    }

    private HttpResponse<String> signIn(HttpClient http, String user, String password) throws Exception {
        String csrf = csrf(get(http, console + "/signin").body());
        return post(http, console + "/signin", "user=" + enc(user) + "&password=" + enc(password) + "&csrf=" + enc(csrf));
    }

    private static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String uri, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF field in %s", html).isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
