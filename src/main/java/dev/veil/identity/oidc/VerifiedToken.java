package dev.veil.identity.oidc;

import java.time.Instant;
import java.util.Map;

/** A token whose signature and registered claims were checked; {@code claims} can now be trusted. */
public record VerifiedToken(ProviderSettings provider, Map<String, Object> claims, Instant expiresAt, Instant issuedAt) {

    /** When the token stops being accepted by Veil's clock: its exp plus the provider's clock skew. */
    public Instant validUntil() {
        return expiresAt.plus(provider.clockSkew());
    }

    public String stringClaim(String name) {
        Object value = TokenClaims.walk(claims, name);
        return value instanceof String s ? s : null;
    }
}
