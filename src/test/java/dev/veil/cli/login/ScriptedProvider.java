package dev.veil.cli.login;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * An HTTP endpoint that answers the device and token endpoints with the RFC 8628 responses a test queues
 * (authorization_pending, slow_down…), which a real provider only gives at times a test cannot choose. The
 * whole exchange with a real provider is covered by the Keycloak tests.
 */
final class ScriptedProvider implements AutoCloseable {
    record Answer(int status, String json) {
    }

    private final HttpServer server;
    final Deque<Answer> device = new ArrayDeque<>();
    final Deque<Answer> token = new ArrayDeque<>();
    final List<Map<String, String>> tokenRequests = new ArrayList<>();
    final List<Map<String, String>> deviceRequests = new ArrayList<>();
    String declaredIssuer;

    ScriptedProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        declaredIssuer = issuer();
        server.createContext("/.well-known/openid-configuration", ex -> send(ex, new Answer(200, """
                {"issuer": "%s", "token_endpoint": "%s/token", "device_authorization_endpoint": "%s/device",
                 "authorization_endpoint": "%s/auth"}""".formatted(declaredIssuer, issuer(), issuer(), issuer()))));
        server.createContext("/device", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (deviceRequests) {
                deviceRequests.add(LoopbackReceiver.query(body));
            }
            send(ex, device.isEmpty() ? new Answer(500, "{}") : device.poll());
        });
        server.createContext("/token", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (tokenRequests) {
                tokenRequests.add(LoopbackReceiver.query(body));
            }
            send(ex, token.isEmpty() ? new Answer(500, "{}") : token.poll());
        });
        server.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    ProviderMetadata metadata() {
        return new OidcDiscovery(new OidcHttp(Duration.ofSeconds(5))).discover(issuer());
    }

    private static void send(HttpExchange ex, Answer a) throws IOException {
        byte[] b = a.json().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(a.status(), b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
