package dev.veil.identity.oidc;

import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.AuthenticationFailure.Reason;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * RFC 7662 token introspection: asks the provider whether a token is still active, so that a revoked token
 * (or one whose provider session was ended) is refused although its signature and expiry are fine.
 */
final class TokenIntrospection {
    private final ProviderHttp http;
    private final ProviderSettings.ClientCredentials credentials;

    TokenIntrospection(ProviderHttp http, ProviderSettings.ClientCredentials credentials) {
        this.http = http;
        this.credentials = credentials;
    }

    void requireActive(String endpoint, String token) {
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(credentials.clientId(), StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(credentials.clientSecret(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token";
        Map<String, Object> answer;
        try {
            ProviderHttp.Answer response = http.postForm(endpoint, Map.of(
                    "Authorization", "Basic " + basic,
                    "Content-Type", "application/x-www-form-urlencoded",
                    "Accept", "application/json"), form);
            if (response.status() != 200) {
                throw unavailable("introspection answered HTTP " + response.status());
            }
            answer = JsonUtil.parseJson(response.body());
        } catch (IOException | JoseException e) {
            throw unavailable("introspection failed: " + e.getMessage());
        }
        if (!Boolean.TRUE.equals(answer.get("active"))) {
            throw new AuthenticationFailure(Reason.REVOKED, "token rejected: the identity provider says it is no longer active (revoked or signed out)");
        }
    }

    private static AuthenticationFailure unavailable(String why) {
        return new AuthenticationFailure(Reason.PROVIDER_UNAVAILABLE, "identity provider is unavailable (" + why + "); try again");
    }
}
