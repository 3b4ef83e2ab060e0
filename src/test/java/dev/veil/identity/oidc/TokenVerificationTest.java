package dev.veil.identity.oidc;

import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.AuthenticationFailure.Reason;
import dev.veil.testing.LocalOidcProvider;
import dev.veil.testing.TestConfig;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Token verification against a real HTTP key server with locally generated keys: every forgery and misuse in
 * the identity issue's attack list is refused with the reason named, and good tokens are accepted.
 */
@Tag("servers")
class TokenVerificationTest {
    private LocalOidcProvider idp;
    private OidcProviders providers;

    @BeforeEach
    void start() throws Exception {
        idp = new LocalOidcProvider();
        providers = providers(settings(Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private ProviderSettings settings(Optional<Duration> maxAge, Optional<Set<String>> clients,
                                      Optional<ProviderSettings.ClientCredentials> introspection) {
        return new ProviderSettings("test", idp.issuer(), Set.of("veil-gateway"), Optional.empty(),
                List.of("email", "preferred_username"), "groups", Map.of("analysts", "analyst", "admins", "admin"),
                new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS), Duration.ofSeconds(30), maxAge,
                Duration.ofMinutes(60), Duration.ofMinutes(1), clients, introspection);
    }

    private static OidcProviders providers(ProviderSettings... settings) {
        OidcProviders p = new OidcProviders(TestConfig.veil(Map.of()), Clock.systemUTC());
        for (ProviderSettings s : settings) {
            p.register(s);
        }
        return p;
    }

    private Reason refusal(String token) {
        AuthenticationFailure f = catchThrowableOfType(() -> providers.verify(token), AuthenticationFailure.class);
        assertThat(f).as("token refused").isNotNull();
        String signature = token.substring(token.lastIndexOf('.') + 1);
        if (signature.length() > 16) {
            assertThat(f.getMessage()).as("no secret material echoed").doesNotContain(signature);
        }
        return f.reason();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsAGoodTokenAndReadsItsClaimsAndMappedRoles() {
        VerifiedToken token = providers.verify(idp.token("alice@example.com", "analysts", "other-group"));
        assertThat(token.stringClaim("email")).isEqualTo("alice@example.com");
        assertThat(TokenClaims.roles(token)).containsExactly("analyst");
        assertThat(TokenClaims.matchingUserClaim(token, "Alice@Example.com")).isEqualTo("email");
        assertThat(TokenClaims.matchingUserClaim(token, "alice")).isEqualTo("preferred_username");
        assertThat(TokenClaims.matchingUserClaim(token, "bob@example.com")).isNull();
        assertThat(token.expiresAt()).isAfter(Instant.now());
    }

    @Test
    void fetchesTheKeySetOnceForManyTokens() {
        for (int i = 0; i < 20; i++) {
            providers.verify(idp.token("alice@example.com"));
        }
        assertThat(idp.jwksRequests()).isEqualTo(1);
    }

    @Test
    void refusesAnExpiredToken() {
        JwtClaims c = idp.claims("alice@example.com");
        c.setIssuedAt(NumericDate.fromSeconds(Instant.now().minusSeconds(900).getEpochSecond()));
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().minusSeconds(120).getEpochSecond()));
        assertThat(refusal(idp.sign(c))).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void toleratesExpiryWithinTheClockSkew() {
        JwtClaims c = idp.claims("alice@example.com");
        c.setIssuedAt(NumericDate.fromSeconds(Instant.now().minusSeconds(300).getEpochSecond()));
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().minusSeconds(5).getEpochSecond()));
        assertThat(providers.verify(idp.sign(c)).stringClaim("email")).isEqualTo("alice@example.com");
    }

    @Test
    void refusesATokenNotYetValid() {
        JwtClaims c = idp.claims("alice@example.com");
        c.setNotBefore(NumericDate.fromSeconds(Instant.now().plusSeconds(600).getEpochSecond()));
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().plusSeconds(900).getEpochSecond()));
        assertThat(refusal(idp.sign(c))).isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void refusesATokenWithoutExpiry() {
        JwtClaims c = idp.claims("alice@example.com");
        c.unsetClaim("exp");
        assertThat(refusal(idp.sign(c))).isEqualTo(Reason.MALFORMED_TOKEN);
    }

    @Test
    void refusesATokenFromAnIssuerVeilDoesNotTrust() throws Exception {
        try (LocalOidcProvider other = new LocalOidcProvider()) {
            assertThat(refusal(other.token("alice@example.com"))).isEqualTo(Reason.UNKNOWN_PROVIDER);
        }
    }

    @Test
    void refusesATokenThatNamesOurIssuerButIsSignedByAnotherProvidersKey() throws Exception {
        RsaJsonWebKey foreign = LocalOidcProvider.unpublishedKey(idp.signingKey().getKeyId());
        assertThat(refusal(LocalOidcProvider.sign(idp.claims("alice@example.com"), foreign))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesATokenForAnotherAudience() {
        JwtClaims c = idp.claims("alice@example.com");
        c.setAudience("other-app");
        assertThat(refusal(idp.sign(c))).isEqualTo(Reason.WRONG_AUDIENCE);
    }

    @Test
    void refusesATokenIssuedToAClientNotAllowed() {
        providers = providers(settings(Optional.empty(), Optional.of(Set.of("veil-cli")), Optional.empty()));
        JwtClaims c = idp.claims("alice@example.com");
        c.setClaim("azp", "other-app");
        assertThat(refusal(idp.sign(c))).isEqualTo(Reason.WRONG_CLIENT);
        assertThat(providers.verify(idp.token("alice@example.com")).stringClaim("azp")).isEqualTo("veil-cli");
    }

    @Test
    void refusesTamperedClaims() {
        String good = idp.token("alice@example.com", "analysts");
        String[] parts = good.split("\\.");
        JwtClaims c = idp.claims("alice@example.com", "admins");
        String tampered = parts[0] + "." + b64(c.toJson()) + "." + parts[2];
        assertThat(refusal(tampered)).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void refusesAlgNone() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String token = header + "." + b64(idp.claims("alice@example.com", "admins").toJson()) + ".";
        assertThat(refusal(token)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void refusesHs256SignedWithTheProvidersPublicKey() throws Exception {
        // The classic key-confusion forgery: HMAC keyed with the (public) RSA key, hoping the verifier uses it as a secret.
        byte[] publicKey = idp.signingKey().getPublicKey().getEncoded();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(idp.claims("alice@example.com", "admins").toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKeyIdHeaderValue(idp.signingKey().getKeyId());
        jws.setKey(new HmacKey(publicKey));
        assertThat(refusal(jws.getCompactSerialization())).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    }

    /**
     * jose4j skips a key-set refresh asked for within 300 ms of the previous one (its refresh reprieve); a real
     * rotation or forgery comes long after the first fetch, so the tests step past that window first.
     */
    private static void pastTheRefreshReprieve() throws InterruptedException {
        Thread.sleep(500);
    }

    @Test
    void refusesAnUnknownKeyIdAndRefetchesTheKeySetAtMostOncePerInterval() throws Exception {
        providers.verify(idp.token("alice@example.com"));
        assertThat(idp.jwksRequests()).isEqualTo(1);
        pastTheRefreshReprieve();
        RsaJsonWebKey unknown = LocalOidcProvider.unpublishedKey("not-published");
        assertThat(refusal(LocalOidcProvider.sign(idp.claims("alice@example.com"), unknown))).isEqualTo(Reason.UNKNOWN_KEY);
        int afterFirst = idp.jwksRequests();
        assertThat(afterFirst).as("an unknown kid makes Veil look at the key set again").isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            pastTheRefreshReprieve();
            assertThat(refusal(LocalOidcProvider.sign(idp.claims("alice@example.com"), unknown))).isEqualTo(Reason.UNKNOWN_KEY);
        }
        assertThat(idp.jwksRequests()).as("a flood of unknown kids does not hammer the provider").isEqualTo(afterFirst);
    }

    @Test
    void picksUpARotatedSigningKey() throws Exception {
        providers.verify(idp.token("alice@example.com"));
        pastTheRefreshReprieve();
        idp.rotate();
        VerifiedToken token = providers.verify(idp.token("bob@example.com"));
        assertThat(token.stringClaim("email")).isEqualTo("bob@example.com");
        assertThat(idp.jwksRequests()).isEqualTo(2);
    }

    @Test
    void refusesATokenOlderThanTheMaximumAgeEvenIfNotExpired() {
        providers = providers(settings(Optional.of(Duration.ofMinutes(10)), Optional.empty(), Optional.empty()));
        JwtClaims c = idp.claims("alice@example.com");
        c.setIssuedAt(NumericDate.fromSeconds(Instant.now().minusSeconds(3600).getEpochSecond()));
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().plusSeconds(3600).getEpochSecond()));
        assertThat(refusal(idp.sign(c))).isEqualTo(Reason.TOO_OLD);
        assertThat(providers.verify(idp.token("alice@example.com")).stringClaim("email")).isEqualTo("alice@example.com");
    }

    @Test
    void aTokenOlderThanTheSessionCapCannotOpenANewSession() {
        // No max-token-age configured: the session cap bounds it, so a captured token is not replayable forever.
        OidcProviders capped = new OidcProviders(TestConfig.veil(Map.of(
                "veil.identity.session.max-age", "2h")), Clock.systemUTC());
        capped.register(settings(Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(capped.providers().get(0).maxTokenAge()).contains(Duration.ofHours(2));
        JwtClaims c = idp.claims("alice@example.com");
        c.setIssuedAt(NumericDate.fromSeconds(Instant.now().minusSeconds(3 * 3600).getEpochSecond()));
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().plusSeconds(3600).getEpochSecond()));
        AuthenticationFailure f = catchThrowableOfType(() -> capped.verify(idp.sign(c)), AuthenticationFailure.class);
        assertThat(f.reason()).isEqualTo(Reason.TOO_OLD);
    }

    @Test
    void providersSharingAnIssuerAreTriedPerAudience() {
        ProviderSettings gateway = settings(Optional.empty(), Optional.empty(), Optional.empty());
        ProviderSettings reporting = new ProviderSettings("reporting", idp.issuer(), Set.of("reporting-gateway"), Optional.empty(),
                List.of("email"), "groups", Map.of("analysts", "report-reader"), new LinkedHashSet<>(ProviderSettings.DEFAULT_ALGORITHMS),
                Duration.ofSeconds(30), Optional.empty(), Duration.ofMinutes(60), Duration.ofMinutes(1), Optional.empty(), Optional.empty());
        providers = providers(gateway, reporting);
        JwtClaims c = idp.claims("alice@example.com", "analysts");
        c.setAudience("reporting-gateway");
        VerifiedToken forReporting = providers.verify(idp.sign(c));
        assertThat(forReporting.provider().name()).isEqualTo("reporting");
        assertThat(TokenClaims.roles(forReporting)).containsExactly("report-reader");
        assertThat(providers.verify(idp.token("alice@example.com", "analysts")).provider().name()).isEqualTo("test");
        c.setAudience("somebody-else");
        assertThat(refusal(idp.sign(c))).isEqualTo(Reason.WRONG_AUDIENCE);
    }

    @Test
    void refusesARevokedTokenWhenIntrospectionIsConfigured() {
        providers = providers(settings(Optional.empty(), Optional.empty(),
                Optional.of(new ProviderSettings.ClientCredentials("veil-gateway", "secret"))));
        String token = idp.token("alice@example.com");
        assertThat(providers.verify(token).stringClaim("email")).isEqualTo("alice@example.com");
        idp.revoke(token);
        assertThat(refusal(token)).isEqualTo(Reason.REVOKED);
    }

    @Test
    void refusesAnEncryptedOrMalformedToken() {
        assertThat(refusal("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d")).isEqualTo(Reason.MALFORMED_TOKEN);
        assertThat(refusal("eyJub3QganNvbg.eyJ9.sig")).isEqualTo(Reason.MALFORMED_TOKEN);
    }

    @Test
    void reportsAnUnreachableProviderAsUnavailable() {
        int port = URI.create(idp.issuer()).getPort();
        idp.close();
        AuthenticationFailure f = catchThrowableOfType(() -> providers.verify(idp.token("alice@example.com")), AuthenticationFailure.class);
        assertThat(f.reason()).isEqualTo(Reason.PROVIDER_UNAVAILABLE);
        assertThat(f.getMessage()).contains("127.0.0.1:" + port);
    }

    @Test
    void refusesSymmetricAlgorithmsInConfiguration() {
        assertThatThrownBy(() -> new ProviderSettings("x", idp.issuer(), Set.of("a"),
                        Optional.empty(), List.of("email"), "groups", Map.of(), new LinkedHashSet<>(List.of("RS256", "HS256")),
                        Duration.ZERO, Optional.empty(), Duration.ofMinutes(1), Duration.ofMinutes(1), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HS256");
    }
}
