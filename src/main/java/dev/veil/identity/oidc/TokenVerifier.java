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
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies tokens of one provider with SmallRye JWT (jose4j underneath): signature against the provider's
 * JWKS (fetched once, re-read every jwks-refresh, and re-read at most every unknown-key-refetch when a token
 * names a key id not yet seen, which is how key rotation is picked up), issuer, audience, exp/nbf with the
 * configured skew, and the algorithm allow-list. Blocking (it may fetch keys): call it on a worker thread.
 */
public final class TokenVerifier {
    private final ProviderSettings settings;
    private final HttpClient http;
    private final Clock clock;
    private final DefaultJWTTokenParser parser = new DefaultJWTTokenParser();
    private final TokenIntrospection introspection;
    private volatile OidcDiscovery discovery;
    private volatile JWTAuthContextInfo context;

    public TokenVerifier(ProviderSettings settings, HttpClient http, Clock clock) {
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
                int skew = (int) settings.clockSkew().toSeconds();
                info.setExpGracePeriodSecs(skew);
                info.setClockSkew(skew);
                info.setJwksRefreshInterval((int) Math.max(1, settings.jwksRefresh().toMinutes()));
                info.setForcedJwksRefreshInterval((int) settings.unknownKeyRefetch().toMinutes());
                info.setRequireNamedPrincipal(false);
                info.setRequiredClaims(Set.of("exp"));
                context = info;
            }
            return context;
        }
    }

    private OidcDiscovery discovery() {
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
        JwtClaims claims = e.getJwtContext() == null ? null : e.getJwtContext().getJwtClaims();
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return new AuthenticationFailure(Reason.BAD_SIGNATURE, "token rejected: its signature is not valid");
        }
        if (e.hasExpired()) {
            return new AuthenticationFailure(Reason.EXPIRED, "token rejected: it expired at " + instant(claims, "exp"));
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID) || e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
            return new AuthenticationFailure(Reason.NOT_YET_VALID, "token rejected: it is not valid before "
                    + firstNonNull(instant(claims, "nbf"), instant(claims, "iat")));
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

    private static Instant firstNonNull(Instant a, Instant b) {
        return a != null ? a : b;
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
