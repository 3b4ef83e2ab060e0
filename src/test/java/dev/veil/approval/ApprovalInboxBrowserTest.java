package dev.veil.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.HeadlessChromium;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's approvals inbox in real headless Chromium: a pgjdbc session's DROP waits; the second admin signs in
 * to the console, opens the request the notice links to, and approves it (the DROP runs) or denies it (the session
 * gets 42501 with the reason).
 */
@Tag("servers")
@QuarkusTest
@TestProfile(ApprovalTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class ApprovalInboxBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @TestHTTPResource("/console")
    URI console;

    @TestHTTPResource("/")
    URI base;

    private static Connection pg() throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    private static CompletableFuture<SQLException> running(Statement st, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                st.execute(sql);
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }

    /** The id of the pending request of {@code sql}, read from the API as the admin account. */
    private String pending(String sql) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String basic = "Basic " + Base64.getEncoder().encodeToString((VeilTestResource.ADMIN_USER + ":"
                + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/approvals?status=pending"))
                    .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode n : JSON.readTree(r.body())) {
                if (n.path("statement").asText().equals(sql)) {
                    return n.path("id").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pending request for " + sql);
    }

    private void signInAsLead(HeadlessChromium browser) {
        browser.open(console + "/signin");
        browser.await("#user").sendKeys(ApprovalTestProfile.LEAD);
        browser.find("#password").sendKeys(ApprovalTestProfile.LEAD_PASSWORD);
        browser.find("#signin").click();
        browser.await("#who");
    }

    private static boolean exists(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void theSecondAdminApprovesAWaitingDropInTheInboxAndItRuns() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement(); HeadlessChromium browser = HeadlessChromium.start()) {
            st.execute("CREATE TABLE appr_console (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_console");
            String id = pending("DROP TABLE appr_console");
            signInAsLead(browser);

            browser.find("a[href='/console/approvals']").click();
            assertThat(browser.await("#pending").getText()).contains(id, "DROP TABLE appr_console", VeilTestResource.USER);
            browser.screenshot(SCREENSHOTS.resolve("approvals.png"));
            browser.find("#open-" + id).click();
            assertThat(browser.await("#statement").getText()).isEqualTo("DROP TABLE appr_console");
            assertThat(browser.find("#status").getText()).isEqualTo("pending");
            browser.find("#reason").sendKeys("planned clean-up");
            browser.find("#approve").click();

            assertThat((Throwable) drop.get(30, TimeUnit.SECONDS)).isNull();
            assertThat(exists(st, "appr_console")).isFalse();
            browser.open(console + "/approvals/" + id);
            assertThat(browser.await("#status").getText()).isEqualTo("used");
            assertThat(browser.find("#votes").getText()).isEqualTo(ApprovalTestProfile.LEAD + " approved (planned clean-up)");
        }
    }

    @Test
    void aDenialInTheInboxEndsTheWaitWith42501CarryingTheReason() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement(); HeadlessChromium browser = HeadlessChromium.start()) {
            st.execute("CREATE TABLE appr_console_denied (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_console_denied");
            String id = pending("DROP TABLE appr_console_denied");
            signInAsLead(browser);
            browser.open(console + "/approvals/" + id);
            browser.await("#reason").sendKeys("not during the sale");
            browser.find("#deny").click();

            SQLException refused = drop.get(30, TimeUnit.SECONDS);
            assertThat((Throwable) refused).isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("42501");
            assertThat(refused.getMessage()).contains(id).contains("not during the sale");
            assertThat(browser.await("#status").getText()).isEqualTo("denied");
            assertThat(exists(st, "appr_console_denied")).isTrue();
        }
    }
}
