package dev.veil.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * JSON over HTTP towards the identity provider, with the JDK client. Transport failures become one-line
 * {@link LoginException}s naming the provider; HTTP error statuses are returned to the caller, because OAuth
 * endpoints answer 400 with a meaningful {@code error} body.
 */
public class OidcHttp {
    /** A response: its status and its body as JSON (an empty object when the body is not JSON). */
    public record Response(int status, JsonNode body) {
        public String text(String field) {
            JsonNode n = body.get(field);
            return n == null || n.isNull() ? null : n.asText();
        }
    }

    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration timeout;

    public OidcHttp(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public Response get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build());
    }

    public Response postForm(URI uri, Map<String, String> form) {
        return send(HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build());
    }

    static String form(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Response send(HttpRequest request) {
        String where = request.uri().getScheme() + "://" + request.uri().getAuthority();
        HttpResponse<String> r;
        try {
            r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new LoginException("cannot reach the identity provider at " + where + ": connection timed out");
        } catch (HttpTimeoutException e) {
            throw new LoginException("the identity provider at " + where + " did not answer within " + timeout.toSeconds() + " s");
        } catch (ConnectException e) {
            throw new LoginException("cannot reach the identity provider at " + where + ": connection refused");
        } catch (IOException e) {
            throw new LoginException("cannot reach the identity provider at " + where + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoginException("interrupted while talking to the identity provider");
        }
        JsonNode body;
        try {
            body = r.body() == null || r.body().isBlank() ? json.createObjectNode() : json.readTree(r.body());
            if (body == null || !body.isObject()) {
                body = json.createObjectNode();
            }
        } catch (IOException e) {
            body = json.createObjectNode();
        }
        return new Response(r.statusCode(), body);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
