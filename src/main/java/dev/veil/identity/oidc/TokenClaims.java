package dev.veil.identity.oidc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading names and roles out of verified claims, as each provider shapes them. */
public final class TokenClaims {
    private TokenClaims() {
    }

    /** A claim by name, where dots walk into nested objects (Keycloak's realm_access.roles, say). */
    static Object walk(Map<String, Object> claims, String path) {
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        Object current = claims;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    /**
     * Which configured claim the database user name matches, or null. E-mail addresses compare without case
     * (their domain part is case-insensitive and providers differ in how they store the local part).
     */
    public static String matchingUserClaim(VerifiedToken token, String user) {
        for (String claim : token.provider().userClaims()) {
            String value = token.stringClaim(claim);
            if (value == null) {
                continue;
            }
            boolean email = claim.equals("email") || value.indexOf('@') > 0;
            if (email ? value.equalsIgnoreCase(user) : value.equals(user)) {
                return claim;
            }
        }
        return null;
    }

    /**
     * The token was obtained with client credentials by the client the user names: OAuth2 service tokens carry
     * the client in client_id (RFC 9068) or azp, with no person behind them.
     */
    public static boolean isServiceTokenOf(VerifiedToken token, String user) {
        String clientId = token.stringClaim("client_id");
        return clientId != null && clientId.equals(user) && token.stringClaim("email") == null;
    }

    /** Veil roles from the roles claim: through the role map when one is configured, else the names themselves. */
    public static List<String> roles(VerifiedToken token) {
        Object raw = walk(token.claims(), token.provider().rolesClaim());
        Collection<?> names;
        if (raw instanceof Collection<?> c) {
            names = c;
        } else if (raw instanceof String s) {
            names = List.of(s.split("[\\s,]+"));
        } else {
            return List.of();
        }
        Map<String, String> map = token.provider().roleMap();
        Set<String> roles = new LinkedHashSet<>();
        for (Object n : names) {
            if (!(n instanceof String name) || name.isBlank()) {
                continue;
            }
            // Keycloak writes full group paths (/admins) unless told not to: match either form.
            String bare = name.startsWith("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
            if (map.isEmpty()) {
                roles.add(bare);
            } else {
                String mapped = map.containsKey(name) ? map.get(name) : map.get(bare);
                if (mapped != null) {
                    roles.add(mapped);
                }
            }
        }
        return new ArrayList<>(roles);
    }
}
