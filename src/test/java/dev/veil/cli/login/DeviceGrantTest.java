package dev.veil.cli.login;

import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 8628 polling: each token-endpoint answer and what the grant does next. */
class DeviceGrantTest {
    private static final String DEVICE_OK = """
            {"device_code": "dev-123", "user_code": "WDJB-MJHT", "verification_uri": "https://id.example.com/device",
             "verification_uri_complete": "https://id.example.com/device?user_code=WDJB-MJHT", "expires_in": 600, "interval": 2}""";
    private static final String PENDING = "{\"error\": \"authorization_pending\"}";

    private ScriptedProvider provider;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<DeviceGrant.Prompt> prompts = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        provider = new ScriptedProvider();
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    private TokenSet run() {
        OidcHttp http = new OidcHttp(Duration.ofSeconds(5));
        Sleeper sleeper = d -> {
            sleeps.add(d);
            clock.advance(d);
        };
        return new DeviceGrant(http, new TokenEndpoint(http, clock), clock, sleeper, new SecureRandom())
                .run(provider.metadata(), "veil-cli", "openid email", prompts::add);
    }

    @Test
    void pollsAtTheIntervalAndSlowsDownByFiveSecondsOnSlowDown() {
        provider.device.add(new ScriptedProvider.Answer(200, DEVICE_OK));
        provider.token.add(new ScriptedProvider.Answer(400, PENDING));
        provider.token.add(new ScriptedProvider.Answer(400, "{\"error\": \"slow_down\"}"));
        provider.token.add(new ScriptedProvider.Answer(400, PENDING));
        provider.token.add(new ScriptedProvider.Answer(200, """
                {"access_token": "at", "refresh_token": "rt", "id_token": "it", "expires_in": 300, "refresh_expires_in": 0}"""));

        TokenSet t = run();

        assertThat(prompts).singleElement().satisfies(p -> {
            assertThat(p.userCode()).isEqualTo("WDJB-MJHT");
            assertThat(p.verificationUriComplete()).hasToString("https://id.example.com/device?user_code=WDJB-MJHT");
            assertThat(p.expiresAt()).isEqualTo(Instant.parse("2026-03-01T12:10:00Z"));
        });
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(7), Duration.ofSeconds(7));
        assertThat(provider.tokenRequests).hasSize(4).allSatisfy(form -> {
            assertThat(form).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
                    .containsEntry("device_code", "dev-123").containsEntry("client_id", "veil-cli");
            assertThat(Pkce.challengeOf(form.get("code_verifier"))).isEqualTo(provider.deviceRequests.get(0).get("code_challenge"));
        });
        assertThat(provider.deviceRequests).singleElement().satisfies(form -> assertThat(form)
                .containsEntry("client_id", "veil-cli").containsEntry("scope", "openid email").containsEntry("code_challenge_method", "S256"));
        // expires_in counts from the request that obtained it; refresh_expires_in 0 means no expiry
        assertThat(t).isEqualTo(new TokenSet("at", "rt", "it", Instant.parse("2026-03-01T12:00:18Z").plusSeconds(300), null, "openid email"));
    }

    @Test
    void aDeniedSignInEndsWithAClearMessage() {
        provider.device.add(new ScriptedProvider.Answer(200, DEVICE_OK));
        provider.token.add(new ScriptedProvider.Answer(400, PENDING));
        provider.token.add(new ScriptedProvider.Answer(400, "{\"error\": \"access_denied\"}"));
        assertThatThrownBy(this::run).isInstanceOf(LoginException.class).hasMessage("the sign-in was denied at the provider");
    }

    @Test
    void anExpiredCodeReportedByTheProviderEndsWithAClearMessage() {
        provider.device.add(new ScriptedProvider.Answer(200, DEVICE_OK));
        provider.token.add(new ScriptedProvider.Answer(400, "{\"error\": \"expired_token\"}"));
        assertThatThrownBy(this::run).isInstanceOf(LoginException.class)
                .hasMessage("the device code expired before the sign-in was approved: run veil login again");
    }

    @Test
    void pollingStopsWhenTheCodeHasExpiredByOurClock() {
        provider.device.add(new ScriptedProvider.Answer(200, DEVICE_OK.replace("\"expires_in\": 600", "\"expires_in\": 5")));
        for (int i = 0; i < 10; i++) {
            provider.token.add(new ScriptedProvider.Answer(400, PENDING));
        }
        assertThatThrownBy(this::run).isInstanceOf(LoginException.class).hasMessageStartingWith("the device code expired");
        assertThat(provider.tokenRequests).hasSize(3); // at +2 s, +4 s, +6 s; the code expired at +5 s
    }

    @Test
    void anUnknownErrorIsReportedWithTheProvidersDescription() {
        provider.device.add(new ScriptedProvider.Answer(200, DEVICE_OK));
        provider.token.add(new ScriptedProvider.Answer(401, "{\"error\": \"invalid_client\", \"error_description\": \"Invalid client credentials\"}"));
        assertThatThrownBy(this::run).isInstanceOf(LoginException.class)
                .hasMessage("the provider refused the sign-in: invalid_client: Invalid client credentials");
    }

    @Test
    void aRefusedDeviceRequestSaysWhy() {
        provider.device.add(new ScriptedProvider.Answer(400, "{\"error\": \"unauthorized_client\", \"error_description\": \"Client is not allowed to initiate OAuth 2.0 Device Authorization Grant\"}"));
        assertThatThrownBy(this::run).isInstanceOf(LoginException.class)
                .hasMessage("the provider refused the device authorization request: unauthorized_client: Client is not allowed to initiate OAuth 2.0 Device Authorization Grant");
        assertThat(provider.tokenRequests).isEmpty();
    }

    @Test
    void discoveryRefusesADocumentForAnotherIssuer() {
        provider.declaredIssuer = "https://evil.example.com";
        assertThatThrownBy(provider::metadata).isInstanceOf(LoginException.class)
                .hasMessage("the provider at " + provider.issuer() + "/.well-known/openid-configuration declares issuer https://evil.example.com, not " + provider.issuer());
    }

    @Test
    void aRefreshWithoutANewRefreshTokenKeepsTheOldOne() {
        provider.token.add(new ScriptedProvider.Answer(200, "{\"access_token\": \"at2\", \"expires_in\": 60}"));
        OidcHttp http = new OidcHttp(Duration.ofSeconds(5));
        TokenSet old = new TokenSet("at1", "rt1", "id1", clock.instant(), Instant.parse("2026-04-01T00:00:00Z"), "openid");
        TokenEndpoint.Result r = new TokenEndpoint(http, clock).refresh(provider.metadata().tokenEndpoint(), "veil-cli", old);
        assertThat(r).isEqualTo(new TokenEndpoint.Granted(new TokenSet("at2", "rt1", "id1", clock.instant().plusSeconds(60),
                Instant.parse("2026-04-01T00:00:00Z"), "openid")));
        assertThat(provider.tokenRequests.get(0)).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", "rt1");
    }
}
