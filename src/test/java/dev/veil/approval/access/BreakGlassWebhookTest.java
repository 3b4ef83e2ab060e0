package dev.veil.approval.access;

import dev.veil.approval.ApprovalWebhook;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A break-glass grant is posted to the approvals webhook, with a text a chat channel shows as is. */
class BreakGlassWebhookTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBreakGlassGrantIsPostedLoudly() throws Exception {
        CompletableFuture<JsonObject> received = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            received.complete(b.toJsonObject());
            req.response().setStatusCode(200).end();
        }));
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        Instant until = Instant.parse("2026-12-06T12:30:00Z");

        new ApprovalWebhook(vertx, URI.create("http://127.0.0.1:" + port + "/hooks/veil"))
                .breakGlass("g1", "erin", "admin", "prod", until, "orders are down");

        JsonObject body = received.get(10, TimeUnit.SECONDS);
        assertThat(body.getString("event")).isEqualTo("access.break-glass");
        assertThat(body.getString("identity")).isEqualTo("erin");
        assertThat(body.getString("role")).isEqualTo("admin");
        assertThat(body.getString("expires")).isEqualTo(until.toString());
        assertThat(body.getString("text")).contains("BREAK-GLASS").contains("erin took role admin in prod")
                .contains("orders are down");
    }
}
