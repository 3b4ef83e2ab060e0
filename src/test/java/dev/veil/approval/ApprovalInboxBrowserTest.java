package dev.veil.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.HeadlessChromium;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * gets 42501 with the reason); or follows the approve / deny link of the Slack message, confirms, and the link is
 * used up. The request page's analysis and activity, and the history page.
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

    @Inject
    Approvals approvals;

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

    private static String adminBasic() {
        return "Basic " + Base64.getEncoder().encodeToString((VeilTestResource.ADMIN_USER + ":"
                + VeilTestResource.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
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
            // Beside the request: its analysis as decided, and what the requester did before it.
            assertThat(browser.find("#relations").getText()).contains("appr_console");
            assertThat(browser.find("#kind").getText()).isNotBlank();
            assertThat(browser.find("#asked-by").getText()).contains("drops-need-approval", "dropping a table needs a second person");
            assertThat(browser.find("#activity-records").getText()).contains("CREATE TABLE appr_console", "needs-approval");
            browser.screenshot(SCREENSHOTS.resolve("approval.png"));

            browser.open(base.resolve("/console/approval-history?requester=" + VeilTestResource.USER + "&status=used").toString());
            assertThat(browser.await("#history").getText()).contains(id, "DROP TABLE appr_console");
            browser.screenshot(SCREENSHOTS.resolve("approval-history.png"));
            browser.open(base.resolve("/console/approval-history?requester=" + VeilTestResource.USER + "&status=denied").toString());
            assertThat(browser.await("#history").getText()).doesNotContain(id);
        }
    }

    /** The request's status as the API shows it now. */
    private String status(String id) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/api/v1/approvals/" + id))
                .header("Authorization", adminBasic()).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("status").asText();
    }

    /** A link as the message carries it, on the address this test reaches Veil at. */
    private String local(String link) {
        return base.resolve(link.substring(link.indexOf("/console/"))).toString();
    }

    @Test
    void anApproveLinkFromTheSlackMessageOpensAConfirmationAndOnlyItsPostDecides() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement(); HeadlessChromium browser = HeadlessChromium.start()) {
            st.execute("CREATE TABLE appr_link (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_link");
            String id = pending("DROP TABLE appr_link");
            JsonNode message = SlackCatcher.await(m -> m.toString().contains(id), Duration.ofSeconds(30));
            assertThat(message.path("text").asText()).contains(VeilTestResource.USER, "DROP TABLE appr_link", "drops-need-approval");
            String approve = local(SlackCatcher.button(message, "veil-approve"));

            // A link scanner or a chat unfurler fetches the URL without anyone's sign-in: nothing is decided.
            HttpResponse<String> scanned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(approve)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scanned.statusCode()).isEqualTo(200);
            assertThat(scanned.body()).contains("Opening the request");
            assertThat(status(id)).isEqualTo("pending");

            // The approver is sent through the sign-in and back to the confirmation page, which decides nothing either.
            browser.open(approve);
            browser.await("#user").sendKeys(ApprovalTestProfile.LEAD);
            browser.find("#password").sendKeys(ApprovalTestProfile.LEAD_PASSWORD);
            browser.find("#signin").click();
            assertThat(browser.await("#confirm").getText()).contains("DROP TABLE appr_link", "decided nothing");
            assertThat(browser.find("#status").getText()).isEqualTo("pending");
            assertThat(status(id)).isEqualTo("pending");
            assertThat(drop).isNotDone();
            browser.screenshot(SCREENSHOTS.resolve("approval-link.png"));

            browser.find("#reason").sendKeys("approved from chat");
            browser.find("#confirm-approve").click();
            assertThat((Throwable) drop.get(30, TimeUnit.SECONDS)).isNull();
            assertThat(exists(st, "appr_link")).isFalse();
            browser.open(base.resolve("/console/approvals/" + id).toString());
            assertThat(browser.await("#status").getText()).isEqualTo("used");
            assertThat(browser.find("#votes").getText()).isEqualTo(ApprovalTestProfile.LEAD + " approved (approved from chat)");

            browser.open(approve);
            assertThat(browser.await("#link-problem").getAttribute("data-problem")).isEqualTo("used");
            assertThat(browser.find("#link-problem").getText()).contains("used by " + ApprovalTestProfile.LEAD);
            browser.open(approve.replace("action=approve", "action=deny"));
            assertThat(browser.await("#link-problem").getAttribute("data-problem")).isEqualTo("tampered");
            browser.open(local(approvals.links().url(id, ApprovalLinks.Action.DENY, Instant.now().minusSeconds(60))));
            assertThat(browser.await("#link-problem").getAttribute("data-problem")).isEqualTo("expired");
        }
    }

    @Test
    void aLinkClickedOnAnotherSiteReachesTheConfirmationOfTheSignedInApprover() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement(); HeadlessChromium browser = HeadlessChromium.start()) {
            st.execute("CREATE TABLE appr_link_chat (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_link_chat");
            String id = pending("DROP TABLE appr_link_chat");
            String approve = local(SlackCatcher.button(SlackCatcher.await(m -> m.toString().contains(id), Duration.ofSeconds(30)),
                    "veil-approve"));
            signInAsLead(browser);
            // The console's cookie is SameSite=Strict: a click from another site (127.0.0.1 and localhost are two)
            // arrives without it, and the page's one reload from Veil's own origin brings it.
            String otherSite = "localhost".equals(base.getHost()) ? "127.0.0.1" : "localhost";
            browser.open(SlackCatcher.chat(otherSite, "<!doctype html><a id=\"chat-link\" href=\"" + approve + "\">Approve…</a>"));
            browser.await("#chat-link").click();
            assertThat(browser.await("#confirm").getText()).contains("DROP TABLE appr_link_chat");
            browser.find("#confirm-approve").click();
            assertThat((Throwable) drop.get(30, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void aDenyLinkWhoseConfirmationIsPostedDeniesAndTheSameLinkCannotDecideAgain() throws Exception {
        try (Connection c = pg(); Statement st = c.createStatement(); HeadlessChromium browser = HeadlessChromium.start()) {
            st.execute("CREATE TABLE appr_link_denied (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE appr_link_denied");
            String id = pending("DROP TABLE appr_link_denied");
            String deny = local(SlackCatcher.button(SlackCatcher.await(m -> m.toString().contains(id), Duration.ofSeconds(30)),
                    "veil-deny"));
            signInAsLead(browser);
            browser.open(deny);
            browser.await("#reason").sendKeys("not in the sale");
            // The form posts to the link's page, the link's fields hidden in it.
            assertThat(browser.find("form[aria-label^='Deny']").getAttribute("action")).endsWith("/console/approval-link/" + id);
            browser.find("#confirm-deny").click();

            SQLException refused = drop.get(30, TimeUnit.SECONDS);
            assertThat((Throwable) refused).isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("42501");
            assertThat(refused.getMessage()).contains("not in the sale");
            assertThat(browser.await("#status").getText()).isEqualTo("denied");
            browser.open(deny);
            assertThat(browser.await("#link-problem").getAttribute("data-problem")).isEqualTo("used");
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
