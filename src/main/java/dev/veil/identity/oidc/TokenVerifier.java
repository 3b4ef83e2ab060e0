package dev.veil.identity.oidc;

import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.AuthenticationFailure.Reason;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.auth.principal.UnmatchedTokenKidException;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.lang.UnresolvableKeyException;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies tokens of one provider with SmallRye JWT (jose4j underneath): signature against the provider's
 * JWKS (fetched once, re-read every jwks-refresh, and re-read at most every unknown-key-refetch when a token
 * names a key id not yet seen, which is how key rotation is picked up), issuer, audience and the algorithm
 * allow-list. The times (exp, nbf, iat, max-token-age) are judged here, against Veil's clock, by one rule: each
 * may be off by the configured clock skew and no more, in either direction. Blocking (it may fetch keys): call
 * it on a worker thread.
 */
public final class TokenVerifier {
    private final ProviderSettings settings;
    private final ProviderHttp http;
    private final Clock clock;
    private final DefaultJWTTokenParser parser = new DefaultJWTTokenParser();
    private final TokenIntrospection introspection;
    private volatile OidcDiscovery discovery;
    private volatile JWTAuthContextInfo context;

    TokenVerifier(ProviderSettings settings, ProviderHttp http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.introspection = settings.introspection().map(c -> new TokenIntrospection(http, c)).orElse(null);
    }

    public ProviderSettings settings() {
        return settings;
    }

    public VerifiedToken verify(String token, UnverifiedJwt unverified) {
        String alg = unverified.algorithm();
        // Checked before any key is touched: "none" and HS* (an HMAC keyed with the provider's public key)
        // are the classic forgeries, and must fail the same way whatever the key set holds.
        if (alg == null || !settings.algorithms().contains(alg.toUpperCase(Locale.ROOT))) {
            throw new AuthenticationFailure(Reason.ALGORITHM_NOT_ALLOWED, "token rejected: signature algorithm "
                    + (alg == null ? "(missing)" : alg) + " is not accepted (accepted: " + String.join(", ", settings.algorithms()) + ")");
        }
        JwtContext verified;
        try {
            verified = parser.parse(token, context());
        } catch (ParseException e) {
            throw classify(e, unverified);
        }
        JwtClaims claims = verified.getJwtClaims();
        Instant expiresAt = instant(claims, "exp");
        Instant issuedAt = instant(claims, "iat");
        checkTimes(expiresAt, instant(claims, "nbf"), issuedAt);
        VerifiedToken result = new VerifiedToken(settings, claims.getClaimsMap(), expiresAt, issuedAt);
        checkClient(result);
        checkAge(issuedAt);
        if (introspection != null) {
            introspection.requireActive(discovery().introspectionEndpoint().orElseThrow(() -> new AuthenticationFailure(
                    Reason.PROVIDER_UNAVAILABLE, "identity provider " + settings.issuer() + " has no introspection endpoint")), token);
        }
        return result;
    }

    private void checkClient(VerifiedToken token) {
        if (settings.allowedClients().isEmpty()) {
            return;
        }
        String azp = token.stringClaim("azp");
        if (azp == null) {
            azp = token.stringClaim("client_id");
        }
        if (azp == null || !settings.allowedClients().get().contains(azp)) {
            throw new AuthenticationFailure(Reason.WRONG_CLIENT, "token rejected: it was issued to client "
                    + (azp == null ? "(none named)" : azp) + ", which Veil does not accept");
        }
    }

    /**
     * exp, nbf and iat against Veil's clock, each allowed to be off by the clock skew (the provider's clock and
     * this pod's may disagree that much) and no more. jose4j would judge exp and nbf by the system clock and not
     * iat at all, so a token "issued" a day from now would pass and stay young for max-token-age a day longer.
     */
    private void checkTimes(Instant expiresAt, Instant notBefore, Instant issuedAt) {
        Instant now = clock.instant();
        Duration skew = settings.clockSkew();
        if (expiresAt == null) {
            throw new AuthenticationFailure(Reason.MALFORMED_TOKEN, "token rejected: it has no expiry (exp)");
        }
        if (!now.isBefore(expiresAt.plus(skew))) {
            throw new AuthenticationFailure(Reason.EXPIRED, "token rejected: it expired at " + expiresAt
                    + " (clock-skew " + seconds(skew) + " included); get a fresh one (veil login)");
        }
        if (notBefore != null && now.plus(skew).isBefore(notBefore)) {
            throw new AuthenticationFailure(Reason.NOT_YET_VALID, "token rejected: it is not valid before " + notBefore
                    + ", more than the clock-skew of " + seconds(skew) + " from now (" + now + ")");
        }
        if (issuedAt != null && now.plus(skew).isBefore(issuedAt)) {
            throw new AuthenticationFailure(Reason.NOT_YET_VALID, "token rejected: it says it was issued at " + issuedAt
                    + ", in the future by more than the clock-skew of " + seconds(skew) + " (Veil's time is " + now
                    + "); check the clocks of Veil and the identity provider");
        }
    }

    private static String seconds(Duration d) {
        return d.toSeconds() + "s";
    }

    private void checkAge(Instant issuedAt) {
        if (settings.maxTokenAge().isEmpty()) {
            return;
        }
        Duration max = settings.maxTokenAge().get();
        if (issuedAt == null) {
            throw new AuthenticationFailure(Reason.MALFORMED_TOKEN, "token rejected: it has no iat, so its age cannot be checked");
        }
        if (issuedAt.plus(max).plus(settings.clockSkew()).isBefore(clock.instant())) {
            throw new AuthenticationFailure(Reason.TOO_OLD, "token rejected: issued at " + issuedAt
                    + ", more than " + max.toMinutes() + " minutes ago; get a fresh one (veil login)");
        }
    }

    private JWTAuthContextInfo context() {
        JWTAuthContextInfo c = context;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (context == null) {
                String jwksUri = settings.jwksUri().orElseGet(() -> discovery().jwksUri());
                JWTAuthContextInfo info = new JWTAuthContextInfo();
                info.setPublicKeyLocation(jwksUri);
                info.setIssuedBy(settings.jwksUri().isPresent() ? settings.issuer() : discovery().issuer());
                info.setExpectedAudience(settings.audiences());
                info.setSignatureAlgorithm(algorithms());
                // jose4j reads the system clock and has no rule for an iat in the future; checkTimes judges
                // all three times by Veil's clock instead, so jose4j is told to let any time through.
                info.setExpGracePeriodSecs(Integer.MAX_VALUE);
                info.setClockSkew(Integer.MAX_VALUE);
                info.setJwksRefreshInterval((int) Math.max(1, settings.jwksRefresh().toMinutes()));
                info.setForcedJwksRefreshInterval((int) settings.unknownKeyRefetch().toMinutes());
                info.setRequireNamedPrincipal(false);
                info.setRequiredClaims(Set.of("exp"));
                context = info;
            }
            return context;
        }
    }

    /** The provider's discovery document (fetched once, then kept). Blocking. */
    OidcDiscovery discovery() {
        OidcDiscovery d = discovery;
        if (d == null) {
            synchronized (this) {
                if (discovery == null) {
                    discovery = OidcDiscovery.fetch(http, settings.issuer());
                }
                d = discovery;
            }
        }
        return d;
    }

    private Set<SignatureAlgorithm> algorithms() {
        Set<SignatureAlgorithm> set = EnumSet.noneOf(SignatureAlgorithm.class);
        for (String a : settings.algorithms()) {
            set.add(SignatureAlgorithm.fromAlgorithm(a));
        }
        return set;
    }

    private AuthenticationFailure classify(ParseException e, UnverifiedJwt unverified) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnmatchedTokenKidException) {
                return new AuthenticationFailure(Reason.UNKNOWN_KEY, "token rejected: signed with key id "
                        + unverified.keyId() + ", which identity provider " + settings.issuer() + " does not publish");
            }
            if (t instanceof InvalidJwtException invalid) {
                return classify(invalid);
            }
            if (t instanceof IOException io) {
                return new AuthenticationFailure(Reason.PROVIDER_UNAVAILABLE, "identity provider " + settings.issuer()
                        + " is unavailable (signing keys could not be read: " + io.getMessage() + "); try again");
            }
            if (t instanceof UnresolvableKeyException) {
                return new AuthenticationFailure(Reason.UNKNOWN_KEY, "token rejected: no signing key of identity provider "
                        + settings.issuer() + " matches it (key id " + unverified.keyId() + ")");
            }
        }
        return new AuthenticationFailure(Reason.MALFORMED_TOKEN, "token rejected: it could not be verified");
    }

    private AuthenticationFailure classify(InvalidJwtException e) {
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return new AuthenticationFailure(Reason.BAD_SIGNATURE, "token rejected: its signature is not valid");
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return new AuthenticationFailure(Reason.WRONG_AUDIENCE, "token rejected: its audience does not include "
                    + String.join(" or ", settings.audiences()) + " (it was issued for another client)");
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return new AuthenticationFailure(Reason.WRONG_ISSUER, "token rejected: it was not issued by " + settings.issuer());
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            return new AuthenticationFailure(Reason.MALFORMED_TOKEN, "token rejected: it has no expiry (exp)");
        }
        return new AuthenticationFailure(Reason.MALFORMED_TOKEN, "token rejected: its claims are not valid");
    }

    private static Instant instant(JwtClaims claims, String name) {
        if (claims == null) {
            return null;
        }
        try {
            NumericDate date = claims.getNumericDateClaimValue(name);
            return date == null ? null : Instant.ofEpochSecond(date.getValue());
        } catch (MalformedClaimException e) {
            return null;
        }
    }
}
