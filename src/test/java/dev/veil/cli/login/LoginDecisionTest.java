package dev.veil.cli.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reuse, refresh or sign in: decided from the stored tokens and an injected clock. */
class LoginDecisionTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SCOPE = "openid email";

    private static Optional<TokenSet> stored(Duration accessLeft, String refresh, Duration refreshLeft) {
        return Optional.of(new TokenSet("access", refresh, null, NOW.plus(accessLeft), refreshLeft == null ? null : NOW.plus(refreshLeft), SCOPE));
    }

    private static LoginFlow.Action decide(Optional<TokenSet> stored) {
        return LoginFlow.decide(stored, SCOPE, CLOCK.instant(), false);
    }

    @Test
    void reusesAnAccessTokenWithMoreThanAMinuteLeft() {
        assertThat(decide(stored(Duration.ofSeconds(61), null, null))).isEqualTo(LoginFlow.Action.REUSE);
        assertThat(decide(stored(Duration.ofMinutes(4), "r", null))).isEqualTo(LoginFlow.Action.REUSE);
    }

    @Test
    void refreshesATokenThatExpiresWithinAMinute() {
        assertThat(decide(stored(Duration.ofSeconds(60), "r", null))).isEqualTo(LoginFlow.Action.REFRESH);
        assertThat(decide(stored(Duration.ofSeconds(-3600), "r", Duration.ofMinutes(10)))).isEqualTo(LoginFlow.Action.REFRESH);
    }

    @Test
    void signsInWhenNothingUsableIsStored() {
        assertThat(decide(Optional.empty())).isEqualTo(LoginFlow.Action.SIGN_IN);
        assertThat(decide(stored(Duration.ofSeconds(30), null, null))).isEqualTo(LoginFlow.Action.SIGN_IN);
        assertThat(decide(stored(Duration.ofSeconds(-30), "r", Duration.ZERO))).isEqualTo(LoginFlow.Action.SIGN_IN);
    }

    @Test
    void forceOrAnotherScopeAlwaysSignsIn() {
        assertThat(LoginFlow.decide(stored(Duration.ofHours(1), "r", null), SCOPE, NOW, true)).isEqualTo(LoginFlow.Action.SIGN_IN);
        assertThat(LoginFlow.decide(stored(Duration.ofHours(1), "r", null), "openid email groups", NOW, false)).isEqualTo(LoginFlow.Action.SIGN_IN);
    }

    @Test
    void reusesAStoredTokenWithoutContactingTheProvider(@TempDir Path dir) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String issuer = "http://127.0.0.1:" + closed + "/realms/veil";
        TokenStore store = new TokenStore(dir.resolve("tokens.json"));
        store.save(TokenStore.key(issuer, "veil-cli"), stored(Duration.ofMinutes(5), "r", null).get());
        LoginFlow flow = new LoginFlow(new OidcHttp(Duration.ofSeconds(5)), store, CLOCK, d -> { }, new SecureRandom(), Duration.ofSeconds(5));
        LoginFlow.Request request = new LoginFlow.Request(issuer, "veil-cli", SCOPE, LoginFlow.Flow.DEVICE, false);

        LoginFlow.Outcome outcome = flow.obtain(request, new NoUi());
        assertThat(outcome.action()).isEqualTo(LoginFlow.Action.REUSE);
        assertThat(outcome.tokens().accessToken()).isEqualTo("access");

        // The same store an hour later: the token must be refreshed, so the (unreachable) provider is needed.
        LoginFlow later = new LoginFlow(new OidcHttp(Duration.ofSeconds(5)), store, Clock.offset(CLOCK, Duration.ofHours(1)),
                d -> { }, new SecureRandom(), Duration.ofSeconds(5));
        assertThatThrownBy(() -> later.obtain(request, new NoUi())).isInstanceOf(LoginException.class)
                .hasMessage("cannot reach the identity provider at http://127.0.0.1:" + closed + ": connection refused");
    }

    static class NoUi implements LoginFlow.Ui {
        @Override
        public void notice(String line) {
        }

        @Override
        public void device(DeviceGrant.Prompt prompt) {
            throw new AssertionError("no sign-in expected");
        }

        @Override
        public void browser(URI authorizationUrl) {
            throw new AssertionError("no sign-in expected");
        }
    }
}
