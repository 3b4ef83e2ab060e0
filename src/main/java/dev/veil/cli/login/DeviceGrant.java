package dev.veil.cli.login;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OAuth 2.0 Device Authorization Grant (RFC 8628): ask for a user code (§3.1–3.2), show where to enter
 * it (§3.3), then poll the token endpoint (§3.4–3.5) at the given interval, five seconds slower after each
 * {@code slow_down}, until the user approves or denies, or the code expires. The requests also carry PKCE
 * (RFC 7636): RFC 8628 does not ask for it, but providers that require PKCE for a public client (Keycloak with
 * the S256 policy) refuse the device request without it, and others ignore unknown parameters (RFC 6749 §3.1).
 */
public class DeviceGrant {
    /** RFC 8628 §3.2: the interval when the provider gives none. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** §3.5: slow_down adds 5 seconds to the interval for this and all later requests. */
    static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

    /** What the user must do: open {@code verificationUri} and enter {@code userCode} (or open the complete URI). */
    public record Prompt(String userCode, URI verificationUri, URI verificationUriComplete, Instant expiresAt) {
    }

    private final OidcHttp http;
    private final TokenEndpoint tokens;
    private final Clock clock;
    private final Sleeper sleeper;
    private final SecureRandom random;

    public DeviceGrant(OidcHttp http, TokenEndpoint tokens, Clock clock, Sleeper sleeper, SecureRandom random) {
        this.http = http;
        this.tokens = tokens;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
    }

    public TokenSet run(ProviderMetadata provider, String clientId, String scope, Consumer<Prompt> prompt) {
        URI endpoint = provider.deviceAuthorizationEndpoint().orElseThrow(() -> new LoginException(
                "the provider " + provider.issuer() + " offers no device authorization endpoint: use --flow browser"));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("scope", scope);
        Pkce pkce = Pkce.generate(random);
        form.put("code_challenge", pkce.challenge());
        form.put("code_challenge_method", Pkce.METHOD);
        Instant asked = clock.instant();
        OidcHttp.Response r = http.postForm(endpoint, form);
        if (r.status() != 200 || r.text("device_code") == null || r.text("user_code") == null || r.text("verification_uri") == null) {
            String error = r.text("error");
            throw new LoginException("the provider refused the device authorization request"
                    + (error == null ? " (HTTP " + r.status() + ")" : ": " + describe(error, r.text("error_description"))));
        }
        Instant expiresAt = asked.plusSeconds(r.body().path("expires_in").asLong(600));
        Duration interval = r.body().hasNonNull("interval") && r.body().get("interval").asLong() > 0
                ? Duration.ofSeconds(r.body().get("interval").asLong()) : DEFAULT_INTERVAL;
        String complete = r.text("verification_uri_complete");
        prompt.accept(new Prompt(r.text("user_code"), URI.create(r.text("verification_uri")),
                complete == null ? null : URI.create(complete), expiresAt));
        return poll(provider.tokenEndpoint(), clientId, scope, r.text("device_code"), pkce, interval, expiresAt);
    }

    private TokenSet poll(URI tokenEndpoint, String clientId, String scope, String deviceCode, Pkce pkce, Duration interval,
                          Instant expiresAt) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("device_code", deviceCode);
        form.put("client_id", clientId);
        form.put("code_verifier", pkce.verifier());
        while (true) {
            if (!clock.instant().isBefore(expiresAt)) {
                throw expired();
            }
            try {
                sleeper.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoginException("interrupted while waiting for the sign-in to be approved");
            }
            TokenEndpoint.Result result = tokens.request(tokenEndpoint, form, scope);
            if (result instanceof TokenEndpoint.Granted g) {
                return g.tokens();
            }
            TokenEndpoint.Refused refused = (TokenEndpoint.Refused) result;
            switch (refused.error()) {
                case "authorization_pending" -> {
                    // the user has not finished yet: keep polling at the same interval
                }
                case "slow_down" -> interval = interval.plus(SLOW_DOWN_STEP);
                case "access_denied" -> throw new LoginException("the sign-in was denied at the provider");
                case "expired_token" -> throw expired();
                default -> throw new LoginException("the provider refused the sign-in: " + refused.explain());
            }
        }
    }

    private static LoginException expired() {
        return new LoginException("the device code expired before the sign-in was approved: run veil login again");
    }

    private static String describe(String error, String description) {
        return description == null || description.isBlank() ? error : error + ": " + description;
    }
}
