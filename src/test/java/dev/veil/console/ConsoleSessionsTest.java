package dev.veil.console;

import dev.veil.identity.Identity;
import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleSessionsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
    private final ConsoleSessions sessions = new ConsoleSessions(clock, Duration.ofMinutes(30));
    private final Identity admin = new Identity("ada", List.of("admin"), Identity.Source.LOCAL_ACCOUNT);

    @Test
    void aSignInLastsWhileItIsUsedAndEndsAfterTheIdleTimeout() {
        String token = sessions.open(admin, ConsoleAccess.ADMIN, "local");
        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.find(token)).get().extracting(ConsoleUser::name).isEqualTo("ada");
        clock.advance(Duration.ofMinutes(29)); // 58 minutes after sign-in, but only 29 idle
        assertThat(sessions.find(token)).isPresent();
        clock.advance(Duration.ofMinutes(30));
        assertThat(sessions.find(token)).isEmpty();
        clock.advance(Duration.ofSeconds(-1));
        assertThat(sessions.find(token)).as("gone for good, not merely hidden").isEmpty();
    }

    @Test
    void signOutEndsTheSignInAndUnknownOrMissingCookiesFindNobody() {
        String token = sessions.open(admin, ConsoleAccess.ADMIN, "sso");
        sessions.close(token);
        assertThat(sessions.find(token)).isEmpty();
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("")).isEmpty();
        assertThat(sessions.find(token + "x")).isEmpty();
    }

    @Test
    void eachSignInHasItsOwnCookieAndCsrfTokenOf256RandomBits() {
        String a = sessions.open(admin, ConsoleAccess.ADMIN, "local");
        String b = sessions.open(admin, ConsoleAccess.ADMIN, "local");
        assertThat(a).isNotEqualTo(b).hasSize(43);
        ConsoleUser ua = sessions.find(a).orElseThrow();
        assertThat(ua.csrf()).isNotEqualTo(sessions.find(b).orElseThrow().csrf()).isNotEqualTo(a).hasSize(43);
        assertThat(ConsoleSessions.sameToken(ua.csrf(), ua.csrf())).isTrue();
        assertThat(ConsoleSessions.sameToken(ua.csrf(), null)).isFalse();
        assertThat(ConsoleSessions.sameToken(null, null)).isFalse();
        assertThat(ConsoleSessions.sameToken(ua.csrf(), ua.csrf().substring(1))).isFalse();
    }

    @Test
    void aSingleSignOnsIdTokenComesBackAtSignOutAndOnlyWithItsOwnCookie() {
        String token = sessions.open(admin, ConsoleAccess.ADMIN, "sso", "header.payload.signature");
        String other = sessions.open(admin, ConsoleAccess.ADMIN, "local");
        byte[] sealed = SealedIdToken.seal(token, "header.payload.signature", new SecureRandom());
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("payload");
        assertThat(SealedIdToken.open(other, sealed)).as("another cookie cannot open it").isNull();
        assertThat(SealedIdToken.hash(token)).as("the store's key is not the token").hasSize(32)
                .isNotEqualTo(token.getBytes(StandardCharsets.US_ASCII));
        assertThat(sessions.close(other)).get().extracting(ConsoleSessions.Ended::idToken).isNull();
        assertThat(sessions.close(token)).get().extracting(ConsoleSessions.Ended::idToken).isEqualTo("header.payload.signature");
        assertThat(sessions.close(token)).as("closed once").isEmpty();
    }

    @Test
    void theCookieIsHttpOnlyStrictAndSecureOverHttps() {
        assertThat(ConsoleSessions.cookie("veil-console", "t", "/console", false))
                .isEqualTo("veil-console=t; Path=/console; HttpOnly; SameSite=Strict");
        assertThat(ConsoleSessions.cookie("veil-console", "t", "/console", true)).endsWith("; Secure");
    }

    @Test
    void onlyAdminsAndAuditorsEnterAndTheRefusalNamesTheRolesHeld() {
        assertThat(ConsoleAccess.of(List.of("analyst", "admin"))).contains(ConsoleAccess.ADMIN);
        assertThat(ConsoleAccess.of(List.of("auditor"))).contains(ConsoleAccess.AUDITOR);
        assertThat(ConsoleAccess.of(List.of("analyst"))).isEmpty();
        assertThat(ConsoleAccess.refusal("bo", List.of("analyst"))).contains("role admin", "bo holds the roles analyst");
        assertThat(ConsoleAccess.refusal("bo", List.of())).contains("bo holds no role");
    }
}
