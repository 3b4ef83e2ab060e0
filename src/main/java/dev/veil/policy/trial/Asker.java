package dev.veil.policy.trial;

import dev.veil.identity.Identity;
import dev.veil.policy.PolicySet;
import dev.veil.policy.SessionFacts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who asks in a policy test or a replay, as stated rather than authenticated: an identity (subject, where it comes
 * from, its token groups and claims, the roles Veil's configuration gives it, its kind) that the policy's role
 * bindings are applied to, or the policy roles themselves ({@code roles}, bindings not consulted).
 *
 * @param source how the identity signed in: a local account, a token, or a service account; role bindings by
 *               {@code local-accounts} and {@code service-accounts} match by name only for their own source
 * @param roles  the policy roles held, stated; null when the bindings decide
 */
public record Asker(String subject, Identity.Source source, SessionFacts.Kind kind, List<String> groups,
                    Map<String, Object> claims, List<String> configuredRoles, List<String> roles,
                    String clientAddress, String application) {
    private static final Set<String> IDENTITY_KEYS = Set.of("subject", "source", "kind", "groups", "claims",
            "configured-roles", "configuredRoles", "client-address", "clientAddress", "application");

    public Asker {
        groups = List.copyOf(groups);
        claims = Map.copyOf(claims);
        configuredRoles = List.copyOf(configuredRoles);
        roles = roles == null ? null : List.copyOf(roles);
    }

    /** What the policy sees of this asker. */
    public SessionFacts facts() {
        return facts(false);
    }

    /** What the policy sees of this asker when its session's database user is read-only ({@link DatabaseUser}). */
    public SessionFacts facts(boolean readOnlyDatabaseUser) {
        Identity identity = new Identity(subject, configuredRoles, source, null, null, groups, claims);
        return new SessionFacts(identity, kind, roles, clientAddress, application, readOnlyDatabaseUser);
    }

    /**
     * The roles a session's database user is chosen by (as the session opener chooses it): the policy roles stated,
     * or those {@code policy} binds the identity to, and the roles Veil's configuration gives it.
     */
    public List<String> sessionRoles(PolicySet policy) {
        Set<String> out = new LinkedHashSet<>();
        if (roles != null) {
            out.addAll(roles);
        } else if (policy != null) {
            out.addAll(policy.rolesOf(facts().identity()));
        }
        out.addAll(configuredRoles);
        return List.copyOf(out);
    }

    /** For messages and reports: the roles stated, or the subject. */
    public String describe() {
        return roles != null && subject.isEmpty() ? "role " + String.join(",", roles) : subject;
    }

    /**
     * Reads an asker from a parsed JSON or YAML object: {@code identity} (a map: subject, source, kind, groups,
     * claims, configured-roles, client-address, application) and/or {@code role} (a name or a list of names).
     *
     * @throws IllegalArgumentException naming the field that is wrong and what it should be
     */
    public static Asker read(Object identity, Object role) {
        if (identity == null && role == null) {
            throw new IllegalArgumentException("who asks is missing: give identity {subject, groups, claims, kind, …} or role");
        }
        Map<String, Object> id = identity == null ? Map.of() : map(identity, "identity");
        for (String key : id.keySet()) {
            if (!IDENTITY_KEYS.contains(key)) {
                throw new IllegalArgumentException("identity." + key + " is not a field of an identity; the fields are "
                        + "subject, source, kind, groups, claims, configured-roles, client-address, application");
            }
        }
        List<String> roles = role == null ? null : strings(role, "role");
        if (roles != null && roles.isEmpty()) {
            throw new IllegalArgumentException("role names no role: give a role name, or leave role out and let the bindings decide");
        }
        String subject = text(id.get("subject"), "identity.subject");
        if (subject == null && roles == null) {
            throw new IllegalArgumentException("identity.subject is missing: the name the identity signs in with");
        }
        List<String> groups = id.containsKey("groups") ? strings(id.get("groups"), "identity.groups") : List.of();
        Map<String, Object> claims = id.containsKey("claims") ? map(id.get("claims"), "identity.claims") : new LinkedHashMap<>();
        claims.values().removeIf(Objects::isNull); // a claim written as null is a claim the token does not have
        Object configured = id.containsKey("configured-roles") ? id.get("configured-roles") : id.get("configuredRoles");
        List<String> configuredRoles = configured == null ? List.of() : strings(configured, "identity.configured-roles");
        SessionFacts.Kind kind = kind(text(id.get("kind"), "identity.kind"));
        Identity.Source source = source(text(id.get("source"), "identity.source"), kind, groups, claims);
        String address = text(id.containsKey("client-address") ? id.get("client-address") : id.get("clientAddress"),
                "identity.client-address");
        return new Asker(subject == null ? "" : subject, source, kind, groups, claims, configuredRoles, roles,
                address, text(id.get("application"), "identity.application"));
    }

    private static SessionFacts.Kind kind(String kind) {
        if (kind == null) {
            return null;
        }
        try {
            return SessionFacts.Kind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("identity.kind is person, service or agent, not \"" + kind + "\"");
        }
    }

    /** Stated, or: a service for kind service, a token when groups or claims are given, else a local account. */
    private static Identity.Source source(String source, SessionFacts.Kind kind, List<String> groups, Map<String, Object> claims) {
        if (source == null) {
            if (kind == SessionFacts.Kind.SERVICE) {
                return Identity.Source.SERVICE_ACCOUNT;
            }
            return groups.isEmpty() && claims.isEmpty() ? Identity.Source.LOCAL_ACCOUNT : Identity.Source.OIDC_TOKEN;
        }
        switch (source.trim().toLowerCase(Locale.ROOT)) {
            case "local", "local-account", "local_account":
                return Identity.Source.LOCAL_ACCOUNT;
            case "token", "oidc", "oidc-token", "oidc_token":
                return Identity.Source.OIDC_TOKEN;
            case "service", "service-account", "service_account":
                return Identity.Source.SERVICE_ACCOUNT;
            default:
                throw new IllegalArgumentException("identity.source is local, token or service, not \"" + source + "\"");
        }
    }

    static String text(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            throw new IllegalArgumentException(field + " is a text, not " + (value instanceof Map ? "an object" : "a list"));
        }
        return value.toString();
    }

    private static List<String> strings(Object value, String field) {
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (o == null || o instanceof Map || o instanceof List) {
                    throw new IllegalArgumentException(field + " is a list of names; one item is not a name");
                }
                out.add(o.toString());
            }
            return out;
        }
        String one = text(value, field + " (a name or a list of names)");
        return one == null ? List.of() : List.of(one);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String field) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(field + " is an object ({\"subject\": …}), not " + describeType(value));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static String describeType(Object value) {
        return value instanceof List ? "a list" : "\"" + value + "\"";
    }
}
