package dev.veil.identity;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who a session belongs to, as proven at authentication.
 *
 * @param roles     the roles Veil's configuration gives: a local or service account's veil.*.roles, or a token's
 *                  groups through its provider's role-map (the group names themselves without one)
 * @param provider  the OIDC provider that vouched for a token identity (null for accounts Veil holds itself)
 * @param expiresAt when the proof stops being valid: the token's exp plus the provider's clock skew, the same
 *                  rule its verification followed (null when it does not expire)
 * @param groups    the groups a token's roles claim names, as the provider wrote them less a Keycloak path
 *                  (before any role-map); empty for accounts Veil holds
 * @param claims    a token's verified claims (strings, numbers, booleans, lists and objects); empty for accounts
 *                  Veil holds
 */
public record Identity(String name, List<String> roles, Source source, String provider, Instant expiresAt,
                       List<String> groups, Map<String, Object> claims) {
    public enum Source { LOCAL_ACCOUNT, OIDC_TOKEN, SERVICE_ACCOUNT }

    public Identity {
        roles = List.copyOf(roles);
        groups = List.copyOf(groups);
        claims = Map.copyOf(claims);
    }

    public Identity(String name, List<String> roles, Source source, String provider, Instant expiresAt) {
        this(name, roles, source, provider, expiresAt, List.of(), Map.of());
    }

    public Identity(String name, List<String> roles, Source source) {
        this(name, roles, source, null, null);
    }
}
