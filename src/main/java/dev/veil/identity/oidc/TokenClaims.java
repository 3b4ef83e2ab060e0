package dev.veil.identity.oidc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading names and roles out of verified claims, as each provider shapes them. */
public final class TokenClaims {
    private TokenClaims() {
    }

    /** A claim by name, where dots walk into nested objects (Keycloak's realm_access.roles, say). */
    public static Object walk(Map<String, Object> claims, String path) {
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
        String clientId = serviceClient(token.claims());
        return clientId != null && clientId.equals(user);
    }

    /**
     * The client a client-credentials token belongs to, or null for a person's token: client_id (RFC 9068); else
     * azp when the token names no person. Keycloak leaves client_id out unless the client has its service_account
     * scope, and names the subject service-account-&lt;client&gt;.
     */
    public static String serviceClient(Map<String, Object> claims) {
        if (claims.get("email") != null) {
            return null;
        }
        if (claims.get("client_id") instanceof String clientId) {
            return clientId;
        }
        Object azp = claims.get("azp");
        Object username = claims.get("preferred_username");
        return azp instanceof String a && ("service-account-" + a).equals(username) ? a : null;
    }

    /** Veil roles from the roles claim: through the role map when one is configured, else the names themselves. */
    public static List<String> roles(VerifiedToken token) {
        Map<String, String> map = token.provider().roleMap();
        Set<String> roles = new LinkedHashSet<>();
        for (String name : groupNames(token)) {
            // Keycloak writes full group paths (/admins) unless told not to: match either form.
            String bare = bare(name);
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

    /**
     * The groups the roles claim names, before any role map: Keycloak's group paths (/org/admins) as their last
     * part, the way the role map reads them too.
     */
    public static List<String> groups(VerifiedToken token) {
        Set<String> groups = new LinkedHashSet<>();
        for (String name : groupNames(token)) {
            groups.add(bare(name));
        }
        return new ArrayList<>(groups);
    }

    private static List<String> groupNames(VerifiedToken token) {
        Object raw = walk(token.claims(), token.provider().rolesClaim());
        Collection<?> names;
        if (raw instanceof Collection<?> c) {
            names = c;
        } else if (raw instanceof String s) {
            names = List.of(s.split("[\\s,]+"));
        } else {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object n : names) {
            if (n instanceof String name && !name.isBlank()) {
                out.add(name);
            }
        }
        return out;
    }

    private static String bare(String name) {
        return name.startsWith("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
    }

    /**
     * The claims as plain values a policy condition can read: strings, longs, doubles, booleans, and immutable
     * lists and maps of them; nulls are left out (a missing claim and a null one read the same).
     */
    public static Map<String, Object> plain(Map<String, Object> claims) {
        Map<String, Object> out = new LinkedHashMap<>();
        claims.forEach((k, v) -> {
            Object p = plainValue(v);
            if (k != null && p != null) {
                out.put(k, p);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    private static Object plainValue(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float) {
            return ((Float) v).doubleValue();
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Collection<?> c) {
            List<Object> list = new ArrayList<>();
            c.forEach(e -> {
                Object p = plainValue(e);
                if (p != null) {
                    list.add(p);
                }
            });
            return Collections.unmodifiableList(list);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> map = new LinkedHashMap<>();
            m.forEach((k, e) -> {
                Object p = plainValue(e);
                if (k != null && p != null) {
                    map.put(k.toString(), p);
                }
            });
            return Collections.unmodifiableMap(map);
        }
        return v.toString();
    }
}
