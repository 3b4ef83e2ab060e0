package dev.veil.cli.login;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loopback redirect of a native app (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 and an ephemeral
 * port, path {@code /callback}. The first request there ends the wait; its {@code state} must be the one this
 * sign-in sent (RFC 6749 §10.12), otherwise the sign-in fails rather than accept a forged response.
 */
public class LoopbackReceiver implements AutoCloseable {
    static final String PATH = "/callback";

    private final HttpServer server;
    private final String state;
    private final CompletableFuture<Map<String, String>> result = new CompletableFuture<>();

    public LoopbackReceiver(String state) {
        this.state = state;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new LoginException("cannot listen on the loopback interface for the sign-in redirect: " + e.getMessage());
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "veil-login-callback");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** {@code http://127.0.0.1:<port>/callback}, literally the loopback IP (RFC 8252 §7.3 prefers it to localhost). */
    public URI redirectUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** The redirect's query parameters, once the provider has sent the browser back. */
    public Map<String, String> await(Duration timeout) {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new LoginException("no sign-in response arrived within " + timeout.toMinutes() + " min: run veil login again");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LoginException le ? le : new LoginException(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoginException("interrupted while waiting for the sign-in response");
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH) || result.isDone()) {
                respond(exchange, 404, "Nothing here.");
                return;
            }
            Map<String, String> params = query(exchange.getRequestURI().getRawQuery());
            if (!state.equals(params.get("state"))) {
                respond(exchange, 400, "This sign-in response does not belong to the waiting veil login (state mismatch).");
                result.completeExceptionally(new LoginException(
                        "the sign-in response carried the wrong state: it was not started by this veil login"));
                return;
            }
            if (params.containsKey("error")) {
                respond(exchange, 200, "Sign-in failed: " + params.get("error") + ". You can close this tab.");
            } else {
                respond(exchange, 200, "Signed in to Veil. You can close this tab and return to the terminal.");
            }
            result.complete(params);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            params.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, String message) throws IOException {
        byte[] body = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Veil</title></head><body><p>"
                + message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
