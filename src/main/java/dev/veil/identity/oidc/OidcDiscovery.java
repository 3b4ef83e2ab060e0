package dev.veil.identity.oidc;

import dev.veil.identity.AuthenticationFailure;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The provider's discovery document (OpenID Connect Discovery 1.0 §4): where its keys and introspection
 * endpoint are, and where a relying party sends a browser to end its session there (RP-Initiated Logout 1.0 §2.1,
 * the console's sign-out). Blocking; called on a worker thread.
 */
public record OidcDiscovery(String issuer, String jwksUri, Optional<String> introspectionEndpoint,
                            Optional<String> endSessionEndpoint) {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    static OidcDiscovery fetch(ProviderHttp http, String issuer) {
        String url = ProviderSettings.trimSlash(issuer) + "/.well-known/openid-configuration";
        Map<String, Object> doc;
        try {
            ProviderHttp.Answer response = http.get(url, Map.of("Accept", "application/json"));
            if (response.status() != 200) {
                throw unavailable(issuer, "discovery answered HTTP " + response.status());
            }
            doc = JsonUtil.parseJson(response.body());
        } catch (IOException | JoseException | IllegalArgumentException e) {
            throw unavailable(issuer, "discovery failed: " + e.getMessage());
        }
        // §4.3: the issuer in the document must be the one it was fetched for, or keys of another issuer
        // could be used to accept its tokens.
        Object docIssuer = doc.get("issuer");
        if (!(docIssuer instanceof String s) || !ProviderSettings.trimSlash(s).equals(ProviderSettings.trimSlash(issuer))) {
            throw unavailable(issuer, "discovery document names issuer " + docIssuer);
        }
        Object jwks = doc.get("jwks_uri");
        if (!(jwks instanceof String jwksUri)) {
            throw unavailable(issuer, "discovery document has no jwks_uri");
        }
        return new OidcDiscovery(s, jwksUri, text(doc.get("introspection_endpoint")), text(doc.get("end_session_endpoint")));
    }

    private static Optional<String> text(Object value) {
        return value instanceof String v && !v.isBlank() ? Optional.of(v) : Optional.empty();
    }

    private static AuthenticationFailure unavailable(String issuer, String why) {
        return new AuthenticationFailure(AuthenticationFailure.Reason.PROVIDER_UNAVAILABLE,
                "identity provider " + issuer + " is unavailable (" + why + "); try again");
    }
}
