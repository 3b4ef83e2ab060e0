package dev.veil.session;

import dev.veil.approval.access.AccessGrant;

import java.util.List;

/**
 * The access grants in force for an identity when its session opens (docs/access.md): their roles join those the
 * policy binds it to. {@code problem}: why they could not be read; the session then opens without any granted role
 * (fail closed) and its client is told so.
 */
public record SessionGrants(List<AccessGrant> grants, String problem) {
    public static final SessionGrants NONE = new SessionGrants(List.of(), null);

    public SessionGrants {
        grants = List.copyOf(grants);
    }

    public List<String> roles() {
        return grants.stream().map(AccessGrant::role).distinct().toList();
    }
}
