package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.UnaryOperator;

/**
 * What the commands that work on a running Veil through its HTTP API share ({@code veil approvals},
 * {@code veil access}): the --url and --user options, the caller's credentials (a local account with its password
 * from VEIL_PASSWORD, or a bearer token from VEIL_TOKEN, e.g. {@code veil login --format token}), and one JSON call.
 *
 * <p>java.net.http appears only inside method bodies: picocli reflects on a mixin's fields and methods when the
 * command line starts, and the native executable leaves java.net.http out (a signature naming one of its types
 * stopped the first native executable with NoClassDefFoundError; NativeInitializationTest guards it).
 */
public final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Option(names = "--url", defaultValue = "${env:VEIL_URL:-http://localhost:8080}",
            description = "Veil's HTTP address (env VEIL_URL, default ${DEFAULT-VALUE})")
    String url;

    @CommandLine.Option(names = "--user", defaultValue = "${env:VEIL_USER}",
            description = "Local account (env VEIL_USER); its password from env VEIL_PASSWORD")
    String user;

    /** Where VEIL_PASSWORD and VEIL_TOKEN are read (the process environment; a test gives its own). */
    UnaryOperator<String> environment = System::getenv;

    /** Reads VEIL_PASSWORD and VEIL_TOKEN from {@code environment} instead of the process's. */
    public void environment(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    /** The API refused the call or could not be reached: its message is for the user. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    /** The answer of a GET on {@code path} (from the address's root, such as /api/v1/approvals). */
    JsonNode get(String path) throws Failed {
        return send(path, null);
    }

    /** The answer of a POST of {@code body} as JSON to {@code path}. */
    JsonNode post(String path, ObjectNode body) throws Failed {
        return send(path, body);
    }

    static String encoded(String pathSegmentOrQueryValue) {
        return URLEncoder.encode(pathSegmentOrQueryValue, StandardCharsets.UTF_8);
    }

    private JsonNode send(String path, ObjectNode body) throws Failed {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        HttpResponse<String> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
            if (body == null) {
                request.GET();
            } else {
                request.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            String authorization = authorization();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failed("Veil's API at " + base + " cannot be reached (" + e.getMessage() + "); set --url or VEIL_URL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted while waiting for Veil's API at " + base);
        } catch (IllegalArgumentException e) {
            throw new Failed("--url " + url + " is not an HTTP address (" + e.getMessage() + ")");
        }
        JsonNode answer;
        try {
            answer = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            answer = JSON.nullNode();
        }
        if (response.statusCode() / 100 != 2) {
            throw new Failed("refused (" + response.statusCode() + "): " + answer.path("error").asText(response.body()));
        }
        return answer;
    }

    /** Basic with --user and VEIL_PASSWORD, else Bearer VEIL_TOKEN, else none (the API answers 401). */
    private String authorization() {
        String password = environment.apply("VEIL_PASSWORD");
        if (user != null && !user.isBlank()) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + (password == null ? "" : password))
                    .getBytes(StandardCharsets.UTF_8));
        }
        String token = environment.apply("VEIL_TOKEN");
        return token == null || token.isBlank() ? null : "Bearer " + token.strip();
    }

    /** How the commands print a decision's votes (approvals and access requests have the same). */
    static String vote(JsonNode v) {
        return "  " + v.path("decision").asText() + " by " + v.path("approver").asText() + " at " + v.path("time").asText()
                + (v.path("reason").isTextual() ? ": " + v.path("reason").asText() : "");
    }
}
