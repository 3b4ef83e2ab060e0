package dev.veil.identity;

import java.time.Instant;
import java.util.List;

/**
 * Who a session belongs to, as proven at authentication.
 *
 * @param provider  the OIDC provider that vouched for a token identity (null for accounts Veil holds itself)
 * @param expiresAt when the proof stops being valid: the token's exp plus the provider's clock skew, the same
 *                  rule its verification followed (null when it does not expire)
 */
public record Identity(String name, List<String> roles, Source source, String provider, Instant expiresAt) {
    public enum Source { LOCAL_ACCOUNT, OIDC_TOKEN, SERVICE_ACCOUNT }

    public Identity {
        roles = List.copyOf(roles);
    }

    public Identity(String name, List<String> roles, Source source) {
        this(name, roles, source, null, null);
    }
}
