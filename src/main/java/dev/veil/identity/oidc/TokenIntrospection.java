package dev.veil.identity.oidc;

import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.AuthenticationFailure.Reason;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * RFC 7662 token introspection: asks the provider whether a token is still active, so that a revoked token
 * (or one whose provider session was ended) is refused although its signature and expiry are fine.
 */
final class TokenIntrospection {
    private final HttpClient http;
    private final ProviderSettings.ClientCredentials credentials;

    TokenIntrospection(HttpClient http, ProviderSettings.ClientCredentials credentials) {
        this.http = http;
        this.credentials = credentials;
    }

    void requireActive(String endpoint, String token) {
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(credentials.clientId(), StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(credentials.clientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint)).timeout(OidcDiscovery.TIMEOUT)
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                        + "&token_type_hint=access_token"))
                .build();
        Map<String, Object> answer;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw unavailable("introspection answered HTTP " + response.statusCode());
            }
            answer = JsonUtil.parseJson(response.body());
        } catch (IOException | JoseException e) {
            throw unavailable("introspection failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
        if (!Boolean.TRUE.equals(answer.get("active"))) {
            throw new AuthenticationFailure(Reason.REVOKED, "token rejected: the identity provider says it is no longer active (revoked or signed out)");
        }
    }

    private static AuthenticationFailure unavailable(String why) {
        return new AuthenticationFailure(Reason.PROVIDER_UNAVAILABLE, "identity provider is unavailable (" + why + "); try again");
    }
}
