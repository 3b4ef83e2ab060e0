package dev.veil.console;

import java.util.List;
import java.util.Optional;

/**
 * Who may enter the console: the {@code admin} role may do everything, the {@code auditor} role may read (audit
 * search, verify, evidence export, sessions, policy and its dry-run, catalog) but not terminate sessions. Any other
 * identity is refused with a page saying which roles it lacks.
 */
public enum ConsoleAccess {
    ADMIN("admin"),
    AUDITOR("auditor");

    private final String role;

    ConsoleAccess(String role) {
        this.role = role;
    }

    public String role() {
        return role;
    }

    /** The strongest access the roles give, or none. */
    public static Optional<ConsoleAccess> of(List<String> roles) {
        if (roles.contains(ADMIN.role)) {
            return Optional.of(ADMIN);
        }
        return roles.contains(AUDITOR.role) ? Optional.of(AUDITOR) : Optional.empty();
    }

    /** Why {@code name} may not enter, for the 403 page and the audit record. */
    public static String refusal(String name, List<String> roles) {
        return "the Veil console is for identities with the role admin (or auditor, read-only); " + name + " holds "
                + (roles.isEmpty() ? "no role" : "the roles " + String.join(", ", roles))
                + ". Ask an administrator for one of them (veil.local-accounts.<name>.roles, or the identity provider's "
                + "role-map).";
    }
}
