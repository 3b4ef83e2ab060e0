package dev.veil.identity.oidc;

import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.LoginThrottle;
import dev.veil.identity.AuthenticationFailure.Reason;
import dev.veil.testing.LocalOidcProvider;
import dev.veil.testing.MutableClock;
import dev.veil.testing.TestConfig;
import io.vertx.core.Vertx;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The documented clock-skew rule (veil.identity.oidc.clock-skew, 30 s), both ways: exp, nbf and iat are each
 * allowed to be off by the skew and no more, and a token whose iat lies further in the future is refused (it
 * would otherwise escape max-token-age). Times are read from Veil's clock, which the test holds still.
 */
@Tag("servers")
class TokenTimeChecksTest {
    private LocalOidcProvider idp;
    private MutableClock clock;
    private Instant now;

    @BeforeEach
    void start() throws Exception {
        idp = new LocalOidcProvider();
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        clock = new MutableClock(now);
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private OidcProviders providers(Optional<Duration> maxAge) {
        OidcProviders p = new OidcProviders(TestConfig.veil(Map.of()), clock);
        p.register(new ProviderSettings("test", idp.issuer(), Set.of("veil-gateway"), Optional.empty(),
                List.of("email", "preferred_username"), "groups", Map.of(), new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS),
                Duration.ofSeconds(30), maxAge, Duration.ofMinutes(60), Duration.ofMinutes(1), Optional.empty(), Optional.empty()));
        return p;
    }

    /** A token issued {@code iatOffset} seconds from now and expiring {@code expOffset} seconds from now. */
    private String token(long iatOffset, long expOffset) {
        JwtClaims c = idp.claims("alice@example.com");
        c.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond() + iatOffset));
        c.setExpirationTime(NumericDate.fromSeconds(now.getEpochSecond() + expOffset));
        return idp.sign(c);
    }

    private String withNotBefore(long nbfOffset) {
        JwtClaims c = idp.claims("alice@example.com");
        c.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        c.setNotBefore(NumericDate.fromSeconds(now.getEpochSecond() + nbfOffset));
        c.setExpirationTime(NumericDate.fromSeconds(now.getEpochSecond() + 600));
        return idp.sign(c);
    }

    private static AuthenticationFailure refusal(OidcProviders providers, String token) {
        AuthenticationFailure f = catchThrowableOfType(() -> providers.verify(token), AuthenticationFailure.class);
        assertThat(f).as("token refused").isNotNull();
        return f;
    }

    @Test
    void aTokenThatExpiredWithinTheSkewIsAccepted() {
        assertThat(providers(Optional.empty()).verify(token(-600, -20)).stringClaim("email")).isEqualTo("alice@example.com");
    }

    @Test
    void aTokenThatExpiredBeyondTheSkewIsRefusedWithItsExpiry() {
        AuthenticationFailure f = refusal(providers(Optional.empty()), token(-600, -40));
        assertThat(f.reason()).isEqualTo(Reason.EXPIRED);
        assertThat(f.getMessage()).contains("expired at " + now.minusSeconds(40));
    }

    @Test
    void issuedAtOrNotBeforeWithinTheSkewInTheFutureIsAccepted() {
        OidcProviders providers = providers(Optional.of(Duration.ofHours(1)));
        assertThat(providers.verify(token(20, 600)).stringClaim("email")).isEqualTo("alice@example.com");
        assertThat(providers.verify(withNotBefore(20)).stringClaim("email")).isEqualTo("alice@example.com");
    }

    @Test
    void notBeforeBeyondTheSkewIsRefused() {
        AuthenticationFailure f = refusal(providers(Optional.empty()), withNotBefore(40));
        assertThat(f.reason()).isEqualTo(Reason.NOT_YET_VALID);
        assertThat(f.getMessage()).contains("not valid before " + now.plusSeconds(40));
    }

    @Test
    void aTokenIssuedADayInTheFutureIsRefusedWithAClearMessage() {
        Instant tomorrow = now.plus(Duration.ofDays(1));
        for (Optional<Duration> maxAge : List.of(Optional.of(Duration.ofHours(1)), Optional.<Duration>empty())) {
            AuthenticationFailure f = refusal(providers(maxAge), token(86_400, 2 * 86_400));
            assertThat(f.reason()).as("max-token-age %s", maxAge).isEqualTo(Reason.NOT_YET_VALID);
            assertThat(f.getMessage()).contains("issued at " + tomorrow).contains("in the future")
                    .contains("clock-skew").contains("30s");
        }
    }

    @Test
    void theMaximumTokenAgeCountsFromIssueWithTheSkew() {
        OidcProviders providers = providers(Optional.of(Duration.ofMinutes(10)));
        assertThat(providers.verify(token(-620, 600)).stringClaim("email")).as("10 min 20 s old: within the skew").isNotNull();
        AuthenticationFailure f = refusal(providers, token(-640, 600));
        assertThat(f.reason()).isEqualTo(Reason.TOO_OLD);
        assertThat(f.getMessage()).contains("issued at " + now.minusSeconds(640)).contains("10 minutes");
    }

    @Test
    void aSessionOpenedWithinTheExpiryGraceLastsUntilTheGraceEnds() {
        OidcProviders providers = providers(Optional.empty());
        var config = TestConfig.veil(Map.of());
        Vertx vertx = Vertx.vertx();
        try {
            Authenticator authenticator = new Authenticator(new LocalAccounts(config), providers, vertx, config,
                    new LoginThrottle(LoginThrottle.Limits.OFF, clock, vertx, null));
            Identity who = authenticator.check("alice@example.com", token(-600, -20));
            // What session.end-on-token-expiry compares with: not the exp (20 s ago), or the session would end at once.
            assertThat(who.expiresAt()).isEqualTo(now.plusSeconds(10));
        } finally {
            vertx.close();
        }
    }

    @Test
    void timesAreJudgedByVeilsClock() {
        OidcProviders providers = providers(Optional.empty());
        String token = token(-60, 300);
        assertThat(providers.verify(token).stringClaim("email")).isNotNull();
        clock.advance(Duration.ofSeconds(300 + 40));
        assertThat(refusal(providers, token).reason()).isEqualTo(Reason.EXPIRED);
        clock.set(now.minusSeconds(120));
        assertThat(refusal(providers, token).reason()).as("issued 60 s after Veil's now").isEqualTo(Reason.NOT_YET_VALID);
    }
}
