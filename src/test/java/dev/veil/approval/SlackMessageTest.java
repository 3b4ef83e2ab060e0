package dev.veil.approval;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Slack-compatible message, posted to a real HTTP server on loopback. */
class SlackMessageTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private JsonObject post(ApprovalRequest r, ApprovalLinks links) throws Exception {
        CompletableFuture<JsonObject> received = new CompletableFuture<>();
        CompletableFuture<String> type = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            type.complete(req.method() + " " + req.path() + " " + req.getHeader("Content-Type"));
            req.body().onSuccess(b -> {
                received.complete(b.toJsonObject());
                req.response().setStatusCode(200).end("ok");
            });
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        new SlackMessage(vertx, URI.create("http://127.0.0.1:" + port + "/services/T0/B0/x"), links,
                Clock.fixed(NOW, ZoneOffset.UTC)).accept(r);
        assertThat(type.get(10, TimeUnit.SECONDS)).isEqualTo("POST /services/T0/B0/x application/json");
        return received.get(10, TimeUnit.SECONDS);
    }

    private static ApprovalRequest request(String statement) {
        return new ApprovalRequest("abc123", "erin", List.of("engineer"), "prod", "main", "shop", "postgresql", "f00d",
                statement, "d1g35t", "guardrail.destructive-ddl", "drops need a second person", List.of("admin", "dba"), 2,
                NOW, NOW.plus(Duration.ofHours(24)), ApprovalRequest.Status.PENDING, null, null, List.of());
    }

    private static List<JsonObject> buttons(JsonObject message) {
        List<JsonObject> out = new ArrayList<>();
        for (Object b : message.getJsonArray("blocks")) {
            JsonObject block = (JsonObject) b;
            if ("actions".equals(block.getString("type"))) {
                block.getJsonArray("elements").forEach(e -> out.add((JsonObject) e));
            }
        }
        return out;
    }

    @Test
    void aNewRequestIsPostedWithWhoWhatWhereAndSignedApproveAndDenyButtons() throws Exception {
        ApprovalLinks links = new ApprovalLinks("a-test-secret-of-at-least-32-characters!", Duration.ofHours(1),
                "https://veil.example");
        JsonObject m = post(request("DROP TABLE orders"), links);

        assertThat(m.getString("text")).contains("erin", "DROP TABLE orders", "guardrail.destructive-ddl", "main/shop", "prod");
        String blocks = m.getJsonArray("blocks").encode();
        assertThat(blocks).contains("*erin* asks for approval", "```DROP TABLE orders```", "*Rule*\\nguardrail.destructive-ddl",
                "*Environment*\\nprod", "*Database*\\nmain/shop", "2 of role admin or dba");
        List<JsonObject> buttons = buttons(m);
        assertThat(buttons).extracting(b -> b.getJsonObject("text").getString("text"))
                .containsExactly("Approve…", "Deny…", "Open in the console");
        assertThat(buttons.get(2).getString("url")).isEqualTo("https://veil.example/console/approvals/abc123");
        for (int i = 0; i < 2; i++) {
            URI u = URI.create(buttons.get(i).getString("url"));
            assertThat(u.getPath()).isEqualTo("/console/approval-link/abc123");
            String[] q = u.getRawQuery().split("&");
            ApprovalLinks.Checked c = links.check("abc123", q[0].split("=")[1], q[1].split("=")[1], q[2].split("=")[1],
                    q[3].split("=")[1], NOW.plusSeconds(1));
            assertThat(c.ok()).isTrue();
            assertThat(c.link().action()).isEqualTo(i == 0 ? ApprovalLinks.Action.APPROVE : ApprovalLinks.Action.DENY);
        }
    }

    @Test
    void aLongStatementIsTruncatedAndSlacksControlCharactersAreEscaped() throws Exception {
        String statement = "DELETE FROM t WHERE a < 1 AND b > 2 AND c = '&' AND d = '```' AND e IN (" + "1, ".repeat(400) + "1)";
        JsonObject m = post(request(statement), new ApprovalLinks(null, Duration.ofHours(1), "http://localhost:8080"));
        JsonArray blocks = m.getJsonArray("blocks");
        String code = blocks.getJsonObject(1).getJsonObject("text").getString("text");
        assertThat(code).startsWith("```DELETE FROM t WHERE a &lt; 1 AND b &gt; 2 AND c = '&amp;' AND d = '`\u200b``'")
                .endsWith("…```");
        assertThat(code.length()).isLessThan(SlackMessage.STATEMENT_CHARS + 100);
        assertThat(m.getString("text")).doesNotContain("<", ">");
    }
}
