package dev.veil.policy;

import dev.veil.identity.Identity;

import java.util.List;
import java.util.Locale;

/**
 * What the policy knows of a session, fixed when it starts: the identity as authenticated, the client's address
 * and the application name it gave. One per session; the policy roles it is bound to are worked out once per
 * policy version, not per statement.
 */
public final class SessionFacts {
    /** No session: an identity without name, roles, groups or claims. */
    static final SessionFacts NONE = new SessionFacts(new Identity("", List.of(), Identity.Source.LOCAL_ACCOUNT), null, null);

    /** Who is asking, for conditions: {@code identity.kind}. */
    public enum Kind {
        PERSON, SERVICE,
        /** An AI agent acting for someone: set by the agent endpoint, which does not exist yet (no identity has it today). */
        AGENT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Identity identity;
    private final String clientAddress;
    private final String application;
    /** The roles bound under the last policy set asked about (a session nearly always sees one or two). */
    private volatile BoundRoles bound;

    private record BoundRoles(PolicySet policy, List<String> roles) {
    }

    public SessionFacts(Identity identity, String clientAddress, String application) {
        this.identity = identity;
        this.clientAddress = clientAddress == null ? "" : clientAddress;
        this.application = application == null ? "" : application;
    }

    public Identity identity() {
        return identity;
    }

    public Kind kind() {
        return identity.source() == Identity.Source.SERVICE_ACCOUNT ? Kind.SERVICE : Kind.PERSON;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public String application() {
        return application;
    }

    /** The policy roles {@code policy} binds this identity to (empty: an unknown identity). */
    List<String> roles(PolicySet policy) {
        BoundRoles b = bound;
        if (b == null || b.policy() != policy) {
            b = new BoundRoles(policy, policy.rolesOf(identity));
            bound = b;
        }
        return b.roles();
    }
}
