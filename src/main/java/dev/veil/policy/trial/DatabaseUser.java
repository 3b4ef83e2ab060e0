package dev.veil.policy.trial;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The database user a session of the asker reaches the database as, worked out the way the session opener chooses
 * it from the asker's roles ({@link Asker#sessionRoles}) and the upstream's role users: it decides whether the
 * built-in read-only rule applies (a read-only user's session may not make its transactions read-write).
 *
 * @param user     the user's name; null when the tool knows only whether it is read-only (veil policy test)
 * @param role     the role whose user it is; null for the upstream's own user
 * @param refusal  why no session opens at all (require-role-user and none of the roles has a user); null otherwise
 */
public record DatabaseUser(String user, String role, boolean readOnly, String refusal) {
    /** The upstream's own user, or a read-write role user (no read-only rule). */
    public static final DatabaseUser READ_WRITE = new DatabaseUser(null, null, false, null);

    /**
     * Offline (veil policy test): the first of {@code roles} that {@code readOnlyRoles} names makes the user
     * read-only, as read-only role users are chosen first; otherwise it is not.
     */
    public static DatabaseUser offline(List<String> roles, Collection<String> readOnlyRoles) {
        return roles.stream().filter(readOnlyRoles::contains).sorted().findFirst()
                .map(r -> new DatabaseUser(null, r, true, null)).orElse(READ_WRITE);
    }

    /** How reports show it. */
    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (user != null) {
            out.put("user", user);
        }
        out.put("role", role);
        out.put("read-only", readOnly);
        if (refusal != null) {
            out.put("refused", refusal);
        }
        return out;
    }

    /** {@code read-only} or {@code read-write}: what a policy test case expects. */
    public String access() {
        return readOnly ? "read-only" : "read-write";
    }
}
