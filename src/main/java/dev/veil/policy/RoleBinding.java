package dev.veil.policy;

import dev.veil.identity.Identity;
import dev.veil.identity.oidc.TokenClaims;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Who holds one role of the policy file. An identity holds the role when any one of these matches it: one of
 * {@code groups} is among its identity-provider groups, a claim named in {@code claims} (dots walk into
 * objects) has one of the listed values (or, for a list claim, contains one), it is one of
 * {@code localAccounts} or {@code serviceAccounts} by name, or one of {@code configuredRoles} is among the
 * roles Veil's configuration gives it (veil.local-accounts.*.roles, a provider's role-map).
 */
public record RoleBinding(String role, List<String> groups, Map<String, List<String>> claims, List<String> localAccounts,
                          List<String> serviceAccounts, List<String> configuredRoles) {
    public RoleBinding {
        groups = List.copyOf(groups);
        claims = Map.copyOf(claims);
        localAccounts = List.copyOf(localAccounts);
        serviceAccounts = List.copyOf(serviceAccounts);
        configuredRoles = List.copyOf(configuredRoles);
    }

    boolean isEmpty() {
        return groups.isEmpty() && claims.isEmpty() && localAccounts.isEmpty() && serviceAccounts.isEmpty()
                && configuredRoles.isEmpty();
    }

    boolean matches(Identity identity) {
        boolean account = switch (identity.source()) {
            case LOCAL_ACCOUNT -> localAccounts.contains(identity.name());
            case SERVICE_ACCOUNT -> serviceAccounts.contains(identity.name());
            case OIDC_TOKEN -> false;
        };
        return account || intersects(groups, identity.groups()) || intersects(configuredRoles, identity.roles())
                || claimsMatch(identity);
    }

    private boolean claimsMatch(Identity identity) {
        for (Map.Entry<String, List<String>> c : claims.entrySet()) {
            Object value = TokenClaims.walk(identity.claims(), c.getKey());
            if (value instanceof Collection<?> list) {
                for (Object v : list) {
                    if (v != null && c.getValue().contains(v.toString())) {
                        return true;
                    }
                }
            } else if (value != null && c.getValue().contains(value.toString())) {
                return true;
            }
        }
        return false;
    }

    private static boolean intersects(List<String> wanted, List<String> held) {
        for (String w : wanted) {
            if (held.contains(w)) {
                return true;
            }
        }
        return false;
    }
}
