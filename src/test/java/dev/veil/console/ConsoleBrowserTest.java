package dev.veil.console;

import dev.veil.testing.HeadlessChromium;
import dev.veil.testing.KeycloakServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real headless Chromium, signed in through the real Keycloak (client veil-web, group admins
 * mapped to Veil's admin role): the audit search finds a statement just run through pgjdbc, the chain verifies,
 * the SOC 2 evidence downloads, and terminating a live pgjdbc session ends its running statement with 57P01.
 * An identity without the role gets the 403 page. Screenshots of the main pages go to target/console-screenshots
 * (docs/console holds copies).
 */
@Tag("servers")
@QuarkusTest
@TestProfile(ConsoleBrowserTest.WithKeycloak.class)
@QuarkusTestResource(VeilTestResource.class)
class ConsoleBrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    public static class WithKeycloak implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("veil.identity.oidc.issuer", KeycloakServer.shared().issuer(),
                    "veil.identity.oidc.web-client-id", "veil-web",
                    "veil.identity.oidc.web-client-secret", "veil-web-secret",
                    "veil.identity.oidc.role-map.admins", "admin");
        }
    }

    @TestHTTPResource("/console")
    URI console;

    private void signInThroughKeycloak(HeadlessChromium browser, String user, String password) {
        browser.open(console.toString());
        browser.await("#sso").click();
        browser.await("#username").sendKeys(user);
        // Keycloak may ask for the password on a second page
        browser.await("#password").sendKeys(password);
        browser.find("#kc-login").click();
    }

    @Test
    void anAdminSignsInThroughKeycloakFindsAStatementVerifiesExportsEvidenceAndTerminatesASession() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            signInThroughKeycloak(browser, "carol", "carol-password");
            assertThat(browser.await("#who").getText()).isEqualTo("carol@example.com (admin)");

            String marker = "console_probe_" + UUID.randomUUID().toString().replace("-", "");
            try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("main/shop", ""), VeilTestResource.USER,
                    VeilTestResource.PASSWORD); Statement s = c.createStatement()) {
                s.executeQuery("SELECT 1 AS " + marker).close();
            }
            browser.find("#identity").sendKeys(VeilTestResource.USER);
            browser.find("#search").click();
            assertThat(browser.await("#records").getText()).contains(marker, "statement.decided", "allow");
            browser.screenshot(SCREENSHOTS.resolve("audit.png"));

            browser.find("#verify").click();
            assertThat(browser.await("#verified").getText()).startsWith("Chain intact:");

            browser.find("#evidence").click();
            Path zip = browser.awaitDownload(".zip");
            assertThat(entries(zip)).contains("soc2-evidence.json", "admin-actions.csv", "refusals.csv");

            terminateALivePgjdbcSession(browser);

            browser.find("a[href='/console/policy']").click();
            browser.await("#identity").sendKeys(VeilTestResource.USER);
            browser.find("#sql").sendKeys("SELECT * FROM customers");
            browser.find("#decide").click();
            assertThat(browser.await("#verdict").getText()).isIn("allow", "deny", "require-approval");
            browser.screenshot(SCREENSHOTS.resolve("policy.png"));

            browser.open(console + "/catalog?database=main/shop");
            assertThat(browser.await("section.catalog").getText()).contains("main/shop", "customers");
            browser.screenshot(SCREENSHOTS.resolve("catalog.png"));

            // every action above is in the audit trail under carol's name
            browser.open(console + "/audit?identity=carol@example.com");
            assertThat(browser.await("#records").getText()).contains("console.signin", "audit.search", "audit.verify",
                    "audit.evidence", "session.terminate", "policy.decide", "catalog.read");

            browser.find("#signout").click();
            browser.await("#sso");
            browser.open(console + "/sessions");
            assertThat(browser.driver().getCurrentUrl()).endsWith("/console/signin");
        }
    }

    private void terminateALivePgjdbcSession(HeadlessChromium browser) throws Exception {
        Connection victim = DriverManager.getConnection(VeilTestResource.veilUrl("main/shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD);
        CompletableFuture<SQLException> outcome = CompletableFuture.supplyAsync(() -> {
            try (Statement s = victim.createStatement()) {
                s.executeQuery("SELECT pg_sleep(30.5)");
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
        try {
            WebElement row = null;
            for (int attempt = 0; attempt < 60 && row == null; attempt++) {
                browser.open(console + "/sessions");
                List<WebElement> rows = browser.driver().findElements(By.xpath("//tr[td[contains(., 'pg_sleep')]]"));
                if (rows.isEmpty()) {
                    Thread.sleep(250);
                } else {
                    row = rows.get(0);
                }
            }
            assertThat(row).as("the session running pg_sleep is listed").isNotNull();
            assertThat(row.getText()).contains(VeilTestResource.USER, "postgresql", "main/shop");
            browser.screenshot(SCREENSHOTS.resolve("sessions.png"));
            String id = row.getAttribute("id").substring("session-".length());
            row.findElement(By.id("terminate-" + id)).click();
            assertThat(browser.await("#terminated").getText()).isEqualTo("Session " + id + " was terminated.");

            SQLException e = outcome.get(20, TimeUnit.SECONDS);
            assertThat(e == null ? "no error" : e.getSQLState()).as("the running statement ends with the administrator's error")
                    .isEqualTo("57P01");
            assertThat(e.getMessage()).contains("terminating connection due to administrator command",
                    "carol@example.com ended this session from the Veil console");
            assertThat(browser.findAll("#session-" + id)).isEmpty();
        } finally {
            victim.close();
        }
    }

    @Test
    void signingOutAfterSingleSignOnEndsTheProvidersSessionSoTheNextSignInAsksForThePassword() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            signInThroughKeycloak(browser, "carol", "carol-password");
            assertThat(browser.await("#who").getText()).isEqualTo("carol@example.com (admin)");

            browser.find("#signout").click();
            // through Keycloak's end-session endpoint and back to the sign-in page
            browser.await("#sso");
            assertThat(browser.driver().getCurrentUrl()).startsWith(console + "/signin");

            browser.find("#sso").click();
            WebElement next = browser.await("#password, #who");
            assertThat(next.getAttribute("id")).as("the provider asks for the password again instead of signing "
                    + "straight back in").isEqualTo("password");
            assertThat(browser.driver().getCurrentUrl()).startsWith(KeycloakServer.shared().issuer());

            for (WebElement user : browser.findAll("#username")) {
                user.clear();
                user.sendKeys("carol");
            }
            browser.find("#password").sendKeys("carol-password");
            browser.find("#kc-login").click();
            assertThat(browser.await("#who").getText()).isEqualTo("carol@example.com (admin)");
            browser.open(console + "/audit?identity=carol@example.com");
            assertThat(browser.await("#records").getText()).contains("console.signout", "end-session");
        }
    }

    @Test
    void singleSignOnFromALinksSignInPageLandsOnThatPageAndAHostileNextLandsOnTheAuditPage() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            // where an approve link sends a browser that is not signed in: the sign-in page with next
            browser.open(console + "/signin?next=" + URLEncoder.encode("/console/catalog?database=main/shop", StandardCharsets.UTF_8));
            browser.await("#sso").click();
            browser.await("#username").sendKeys("carol");
            browser.await("#password").sendKeys("carol-password");
            browser.find("#kc-login").click();
            assertThat(browser.await("section.catalog").getText()).contains("main/shop", "customers");
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(console + "/catalog?database=main/shop");

            // a link straight to /console/sso naming another site: signed in, but kept on the console
            browser.open(console + "/sso?next=" + URLEncoder.encode("https://evil.example/console/", StandardCharsets.UTF_8));
            assertThat(browser.await("#who").getText()).isEqualTo("carol@example.com (admin)");
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(console + "/audit");
            browser.open(console + "/sso?next=" + URLEncoder.encode("//evil.example/console/", StandardCharsets.UTF_8));
            browser.await("#who");
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(console + "/audit");
        }
    }

    @Test
    void anIdentityWithoutTheAdminOrAuditorRoleIsRefusedWithAPageSayingWhy() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            signInThroughKeycloak(browser, "alice", "alice-password");
            String refusal = browser.await("#refused").getText();
            assertThat(refusal).contains("role admin (or auditor, read-only)", "alice@example.com holds no role");
            assertThat(browser.driver().getTitle()).startsWith("Not allowed");
            browser.screenshot(SCREENSHOTS.resolve("refused.png"));
            browser.open(console + "/audit");
            assertThat(browser.driver().getCurrentUrl()).endsWith("/console/signin");
        }
    }

    private static List<String> entries(Path zip) throws Exception {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
