package dev.veil.identity;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
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
 * @param kind      a person, a service or an AI agent (veil.agents.clients names the machine ones)
 * @param machine   for an agent or a service named in veil.agents.clients, or a token with an actor: what Veil
 *                  knows of the client; null otherwise
 */
public record Identity(String name, List<String> roles, Source source, String provider, Instant expiresAt,
                       List<String> groups, Map<String, Object> claims, Kind kind, Machine machine) {
    public enum Source { LOCAL_ACCOUNT, OIDC_TOKEN, SERVICE_ACCOUNT }

    public enum Kind {
        PERSON, SERVICE, AGENT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A machine client: its OAuth client id, the person who owns it, the actor named by a token exchange
     * (RFC 8693 {@code act}: who acts for the subject; null without one), whether it may change data and its
     * statements-per-minute limit (0: none), its rows-per-hour limit (0: none) and the role whose database user
     * runs its approved changes (null: its own).
     */
    public record Machine(String clientId, String owner, String actor, boolean allowWrites, int statementsPerMinute,
                          int rowsPerHour, String approvedChangesRole) {
        public Machine(String clientId, String owner, String actor, boolean allowWrites, int statementsPerMinute) {
            this(clientId, owner, actor, allowWrites, statementsPerMinute, 0, null);
        }

        /** The same client allowed to write: how a change it proposes is judged by the policy file. */
        public Machine writing() {
            return new Machine(clientId, owner, actor, true, statementsPerMinute, rowsPerHour, approvedChangesRole);
        }
    }

    public Identity {
        roles = List.copyOf(roles);
        groups = List.copyOf(groups);
        claims = Map.copyOf(claims);
        if (kind == null) {
            kind = source == Source.SERVICE_ACCOUNT ? Kind.SERVICE : Kind.PERSON;
        }
    }

    public Identity(String name, List<String> roles, Source source, String provider, Instant expiresAt,
                    List<String> groups, Map<String, Object> claims) {
        this(name, roles, source, provider, expiresAt, groups, claims, null, null);
    }

    public Identity(String name, List<String> roles, Source source, String provider, Instant expiresAt) {
        this(name, roles, source, provider, expiresAt, List.of(), Map.of());
    }

    public Identity(String name, List<String> roles, Source source) {
        this(name, roles, source, null, null);
    }

    /** The same identity as a machine of {@code kind}. */
    public Identity as(Kind kind, Machine machine) {
        return new Identity(name, roles, source, provider, expiresAt, groups, claims, kind, machine);
    }

    public boolean agent() {
        return kind == Kind.AGENT;
    }
}
