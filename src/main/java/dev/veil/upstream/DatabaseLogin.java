package dev.veil.upstream;

/**
 * The database user a server connection logs in as: the upstream's own ({@code role} null), or the user of one
 * Veil role (veil.upstreams.*.role-users). Each has its own pools, so a connection never passes from one user's
 * sessions to another's. A read-only login's connections run every transaction read-only.
 */
public record DatabaseLogin(String role, String user, String password, boolean readOnly) {
    /** The upstream's own user: connections of sessions no role user applies to, and Veil's own control work. */
    public static DatabaseLogin upstreamUser(String user, String password) {
        return new DatabaseLogin(null, user, password, false);
    }

    @Override
    public String toString() {
        // Never print the password.
        return user + (role == null ? "" : " (role " + role + (readOnly ? ", read-only" : "") + ")");
    }
}
