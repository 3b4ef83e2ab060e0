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
        /** An AI agent: a client veil.agents.clients lists as one (its token, or a token exchanged for it). */
        AGENT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Identity identity;
    private final String clientAddress;
    private final String application;
    /** Stated rather than proven (a policy test naming a role or a kind): null, worked out from the identity. */
    private final Kind statedKind;
    private final List<String> statedRoles;
    /** The session's database user only reads: Veil keeps its transactions read-only whatever the policy says. */
    private final boolean readOnlyDatabaseUser;
    /** Policy roles granted to the identity just in time when the session opened (docs/access.md). */
    private final List<String> granted;
    /** The roles bound under the last policy set asked about (a session nearly always sees one or two). */
    private volatile BoundRoles bound;

    private record BoundRoles(PolicySet policy, List<String> roles) {
    }

    public SessionFacts(Identity identity, String clientAddress, String application) {
        this(identity, clientAddress, application, false);
    }

    /** {@code readOnlyDatabaseUser}: the session reaches the database as a read-only role user. */
    public SessionFacts(Identity identity, String clientAddress, String application, boolean readOnlyDatabaseUser) {
        this(identity, clientAddress, application, readOnlyDatabaseUser, List.of());
    }

    /**
     * {@code granted}: the policy roles the identity's active access grants gave it when the session opened; each
     * counts while the policy in force's access section still lets the identity hold it.
     */
    public SessionFacts(Identity identity, String clientAddress, String application, boolean readOnlyDatabaseUser,
                        List<String> granted) {
        this.granted = List.copyOf(granted);
        this.readOnlyDatabaseUser = readOnlyDatabaseUser;
        this.identity = identity;
        this.clientAddress = clientAddress == null ? "" : clientAddress;
        this.application = application == null ? "" : application;
        this.statedKind = null;
        this.statedRoles = null;
    }

    /**
     * Who asks as a tool states it (a policy test, a replay of the audit trail) rather than as authentication
     * proved it: {@code kind} replaces the one the identity's source gives, and {@code roles}, when not null,
     * are the policy roles held under any policy, whatever the bindings say.
     */
    public SessionFacts(Identity identity, Kind kind, List<String> roles, String clientAddress, String application) {
        this(identity, kind, roles, clientAddress, application, false);
    }

    /** As above, for a session whose database user is read-only ({@code readOnlyDatabaseUser}), as the tool works it out. */
    public SessionFacts(Identity identity, Kind kind, List<String> roles, String clientAddress, String application,
                        boolean readOnlyDatabaseUser) {
        this.identity = identity;
        this.clientAddress = clientAddress == null ? "" : clientAddress;
        this.application = application == null ? "" : application;
        this.statedKind = kind;
        this.statedRoles = roles == null ? null : List.copyOf(roles);
        this.readOnlyDatabaseUser = readOnlyDatabaseUser;
        this.granted = List.of();
    }

    /** The session reaches the database as a read-only role user (veil.upstreams.*.role-users.*.read-only). */
    public boolean readOnlyDatabaseUser() {
        return readOnlyDatabaseUser;
    }

    public Identity identity() {
        return identity;
    }

    public Kind kind() {
        if (statedKind != null) {
            return statedKind;
        }
        return Kind.valueOf(identity.kind().name());
    }

    public String clientAddress() {
        return clientAddress;
    }

    public String application() {
        return application;
    }

    /** The policy roles {@code policy} binds this identity to (empty: an unknown identity). */
    List<String> roles(PolicySet policy) {
        if (statedRoles != null) {
            return statedRoles;
        }
        BoundRoles b = bound;
        if (b == null || b.policy() != policy) {
            b = new BoundRoles(policy, policy.rolesOf(identity, granted));
            bound = b;
        }
        return b.roles();
    }
}
