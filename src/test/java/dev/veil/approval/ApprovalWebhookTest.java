package dev.veil.approval;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook posts each new request as JSON to a real HTTP server on loopback. */
class ApprovalWebhookTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aNewRequestIsPostedAsJsonWithItsLink() throws Exception {
        CompletableFuture<JsonObject> received = new CompletableFuture<>();
        CompletableFuture<String> type = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            type.complete(req.method() + " " + req.path() + " " + req.getHeader("Content-Type"));
            req.body().onSuccess(b -> {
                received.complete(b.toJsonObject());
                req.response().setStatusCode(204).end();
            });
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        ApprovalRequest r = new ApprovalRequest("abc123", "erin", List.of("engineer"), "prod", "main", "shop", "postgresql",
                "f00d", "DROP TABLE orders", "d1g35t", "guardrail.destructive-ddl", "drops need a second person",
                List.of("admin"), 1, now, now.plusSeconds(3600), ApprovalRequest.Status.PENDING, null, null, List.of());

        new ApprovalWebhook(vertx, URI.create("http://127.0.0.1:" + port + "/hooks/veil")).accept(r);

        assertThat(type.get(10, TimeUnit.SECONDS)).isEqualTo("POST /hooks/veil application/json");
        JsonObject body = received.get(10, TimeUnit.SECONDS);
        assertThat(body.getString("event")).isEqualTo("approval.requested");
        assertThat(body.getString("id")).isEqualTo("abc123");
        assertThat(body.getString("identity")).isEqualTo("erin");
        assertThat(body.getString("statement")).isEqualTo("DROP TABLE orders");
        assertThat(body.getString("rule")).isEqualTo("guardrail.destructive-ddl");
        assertThat(body.getJsonArray("approverRoles").getList()).containsExactly("admin");
    }
}
