package dev.veil.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A stand-in for Slack's incoming webhook: a real HTTP server on loopback (started once per test JVM, as the test
 * profile names its URL) that keeps every JSON message posted to it.
 */
final class SlackCatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<JsonNode> MESSAGES = new ArrayList<>();
    private static HttpServer server;
    private static String chatPage = "";

    private SlackCatcher() {
    }

    static synchronized String url() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/services/veil-test", exchange -> {
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                synchronized (SlackCatcher.class) {
                    MESSAGES.add(body);
                    SlackCatcher.class.notifyAll();
                }
                byte[] ok = "ok".getBytes();
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
                exchange.close();
            });
            // A page of another site holding a link, as a chat client shows one.
            server.createContext("/chat", exchange -> {
                byte[] html;
                synchronized (SlackCatcher.class) {
                    html = chatPage.getBytes(StandardCharsets.UTF_8);
                }
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, html.length);
                exchange.getResponseBody().write(html);
                exchange.close();
            });
            server.start();
        }
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/services/veil-test";
    }

    /** Serves {@code html} at {@code http://<host>:<port>/chat} (host: 127.0.0.1 or localhost, whichever is the other site). */
    static synchronized String chat(String host, String html) {
        url();
        chatPage = html;
        return "http://" + host + ":" + server.getAddress().getPort() + "/chat";
    }

    /** The first message received that matches, waiting for it up to {@code timeout}. */
    static synchronized JsonNode await(Predicate<JsonNode> wanted, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (JsonNode m : MESSAGES) {
                if (wanted.test(m)) {
                    return m;
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no such message reached the Slack webhook; it got " + MESSAGES);
            }
            SlackCatcher.class.wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The URL of the button whose action_id is {@code action} ("veil-approve", "veil-deny") in a message. */
    static String button(JsonNode message, String action) {
        for (JsonNode block : message.path("blocks")) {
            for (JsonNode e : block.path("elements")) {
                if (action.equals(e.path("action_id").asText())) {
                    return e.path("url").asText();
                }
            }
        }
        throw new AssertionError("no button " + action + " in " + message);
    }
}
