package dev.veil.session;

import dev.veil.identity.Identity;
import dev.veil.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** When a session must end: its age against the cap, and (when asked) its token's expiry. */
class SessionLifetimeTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private static final Identity TOKEN_USER = new Identity("alice@example.com", List.of(), Identity.Source.OIDC_TOKEN, "sso",
            START.plusSeconds(300));
    private static final Identity LOCAL = new Identity("tester", List.of(), Identity.Source.LOCAL_ACCOUNT);

    @Test
    void aSessionEndsAtItsMaximumAge() {
        Duration cap = Duration.ofHours(12);
        assertThat(SessionLifetime.expiry(LOCAL, START, START.plus(cap).minusSeconds(1), cap, false)).isEmpty();
        assertThat(SessionLifetime.expiry(LOCAL, START, START.plus(cap), cap, false)).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
            assertThat(e.code().sqlState()).isEqualTo("57P01");
            assertThat(e.getMessage()).contains("maximum age of 12h");
        });
    }

    @Test
    void aZeroMaximumAgeMeansNoCap() {
        assertThat(SessionLifetime.expiry(LOCAL, START, START.plus(Duration.ofDays(400)), Duration.ZERO, true)).isEmpty();
    }

    @Test
    void aTokenSessionEndsWithItsTokenOnlyWhenConfigured() {
        Instant after = START.plusSeconds(301);
        assertThat(SessionLifetime.expiry(TOKEN_USER, START, after, Duration.ZERO, false)).isEmpty();
        assertThat(SessionLifetime.expiry(TOKEN_USER, START, after, Duration.ZERO, true))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("valid until 2026-11-24T10:05:00Z"));
        assertThat(SessionLifetime.expiry(TOKEN_USER, START, START.plusSeconds(299), Duration.ZERO, true)).isEmpty();
    }
}
