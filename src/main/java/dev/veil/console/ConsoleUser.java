package dev.veil.console;

import io.quarkus.qute.TemplateData;

import java.util.List;

/**
 * One signed-in console user: who, with which access, how they signed in (sso or local), and the CSRF token every
 * form of their pages carries. Immutable: a sign-in's times are the store's ({@link SignIn}).
 */
@TemplateData
public final class ConsoleUser {
    private final String name;
    private final List<String> roles;
    private final ConsoleAccess access;
    private final String via;
    private final String csrf;

    ConsoleUser(String name, List<String> roles, ConsoleAccess access, String via, String csrf) {
        this.name = name;
        this.roles = List.copyOf(roles);
        this.access = access;
        this.via = via;
        this.csrf = csrf;
    }

    public String name() {
        return name;
    }

    public List<String> roles() {
        return roles;
    }

    public ConsoleAccess access() {
        return access;
    }

    /** The access shown beside the name: "admin" or "auditor, read-only". */
    public String accessLabel() {
        return access == ConsoleAccess.ADMIN ? "admin" : "auditor, read-only";
    }

    public boolean admin() {
        return access == ConsoleAccess.ADMIN;
    }

    public String via() {
        return via;
    }

    public String csrf() {
        return csrf;
    }
}
