package dev.veil.cli.login;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Requests to the token endpoint (RFC 6749 §4.1.3, §6; RFC 8628 §3.4) and the reading of its answers: a
 * token response (§5.1) or an error response (§5.2), which the device grant needs to tell apart.
 */
public class TokenEndpoint {
    /** The answer: tokens, or an OAuth error code with its optional description. */
    public sealed interface Result permits Granted, Refused {
    }

    public record Granted(TokenSet tokens) implements Result {
    }

    public record Refused(int status, String error, String description) implements Result {
        /** "error: description", for messages. */
        public String explain() {
            return description == null || description.isBlank() ? error : error + ": " + description;
        }
    }

    private final OidcHttp http;
    private final Clock clock;

    public TokenEndpoint(OidcHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    public Result request(URI tokenEndpoint, Map<String, String> form, String scope) {
        return exchange(tokenEndpoint, form, scope, null);
    }

    /** A refresh grant: a provider may keep the refresh token and not send it again (RFC 6749 §6). */
    public Result refresh(URI tokenEndpoint, String clientId, TokenSet current) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", current.refreshToken());
        form.put("client_id", clientId);
        return exchange(tokenEndpoint, form, current.scope(), current);
    }

    private Result exchange(URI tokenEndpoint, Map<String, String> form, String scope, TokenSet previous) {
        Instant sent = clock.instant();
        OidcHttp.Response r = http.postForm(tokenEndpoint, form);
        if (r.status() == 200 && r.text("access_token") != null) {
            return new Granted(tokens(r.body(), sent, scope, previous));
        }
        String error = r.text("error");
        return new Refused(r.status(), error == null ? "HTTP " + r.status() : error, r.text("error_description"));
    }

    /**
     * Expiry is counted from when the request was sent, so clock drift towards the provider does not matter
     * and network time only makes it earlier. Without expires_in, the token's own exp claim, else it counts as
     * already expired (never reused).
     */
    static TokenSet tokens(JsonNode body, Instant sent, String scope, TokenSet previous) {
        String access = body.get("access_token").asText();
        Instant expires;
        if (body.hasNonNull("expires_in") && body.get("expires_in").asLong() > 0) {
            expires = sent.plusSeconds(body.get("expires_in").asLong());
        } else {
            expires = JwtClaims.expiry(access).orElse(sent);
        }
        String refresh = text(body, "refresh_token");
        Instant refreshExpires = null;
        if (refresh == null && previous != null) {
            refresh = previous.refreshToken();
            refreshExpires = previous.refreshExpiresAt();
        } else if (refresh != null && body.hasNonNull("refresh_expires_in") && body.get("refresh_expires_in").asLong() > 0) {
            refreshExpires = sent.plusSeconds(body.get("refresh_expires_in").asLong());
        }
        String id = text(body, "id_token");
        if (id == null && previous != null) {
            id = previous.idToken();
        }
        return new TokenSet(access, refresh, id, expires, refreshExpires, scope);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() || n.asText().isEmpty() ? null : n.asText();
    }
}
