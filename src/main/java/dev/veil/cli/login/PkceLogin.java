package dev.veil.cli.login;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The authorization code grant of a native app (RFC 6749 §4.1, RFC 8252): PKCE S256 (RFC 7636), a random
 * state, and a loopback redirect on an ephemeral port. The URL to open is handed to the caller, which prints
 * it and may open a browser; the code that comes back is exchanged with the verifier.
 */
public class PkceLogin {
    private final TokenEndpoint tokens;
    private final SecureRandom random;
    private final Duration timeout;

    public PkceLogin(TokenEndpoint tokens, SecureRandom random, Duration timeout) {
        this.tokens = tokens;
        this.random = random;
        this.timeout = timeout;
    }

    public TokenSet run(ProviderMetadata provider, String clientId, String scope, Consumer<URI> openUrl) {
        URI authorize = provider.authorizationEndpoint().orElseThrow(() -> new LoginException(
                "the provider " + provider.issuer() + " offers no authorization endpoint: use --flow device"));
        Pkce pkce = Pkce.generate(random);
        String state = randomToken();
        try (LoopbackReceiver receiver = new LoopbackReceiver(state)) {
            URI redirect = receiver.redirectUri();
            openUrl.accept(authorizationUrl(authorize, clientId, scope, redirect, state, pkce));
            Map<String, String> response = receiver.await(timeout);
            if (response.containsKey("error")) {
                String d = response.get("error_description");
                throw new LoginException(response.get("error").equals("access_denied")
                        ? "the sign-in was denied at the provider" + (d == null ? "" : ": " + d)
                        : "the provider refused the sign-in: " + response.get("error") + (d == null ? "" : ": " + d));
            }
            String code = response.get("code");
            if (code == null || code.isEmpty()) {
                throw new LoginException("the sign-in response carried no authorization code");
            }
            Map<String, String> form = new LinkedHashMap<>();
            form.put("grant_type", "authorization_code");
            form.put("code", code);
            form.put("redirect_uri", redirect.toString());
            form.put("client_id", clientId);
            form.put("code_verifier", pkce.verifier());
            TokenEndpoint.Result result = tokens.request(provider.tokenEndpoint(), form, scope);
            if (result instanceof TokenEndpoint.Granted g) {
                return g.tokens();
            }
            throw new LoginException("the provider refused to exchange the authorization code: " + ((TokenEndpoint.Refused) result).explain());
        }
    }

    static URI authorizationUrl(URI endpoint, String clientId, String scope, URI redirect, String state, Pkce pkce) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", redirect.toString());
        q.put("scope", scope);
        q.put("state", state);
        q.put("code_challenge", pkce.challenge());
        q.put("code_challenge_method", Pkce.METHOD);
        String query = q.entrySet().stream().map(e -> OidcHttp.encode(e.getKey()) + "=" + OidcHttp.encode(e.getValue()))
                .collect(Collectors.joining("&"));
        String base = endpoint.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + query);
    }

    private String randomToken() {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
