package dev.veil.session;

import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.identity.Identity;
import dev.veil.policy.AgentChanges;
import dev.veil.policy.ReplicationSection;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.UpstreamRouter;
import dev.veil.upstream.UpstreamSettings;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.List;

/**
 * Opens client sessions for either wire: the session itself (who, from where, to which upstream and
 * database, in which environment) and the statement pipeline every statement of it goes through.
 */
@ApplicationScoped
public class SessionOpener {
    /** A session just opened and registered, with its pipeline and the cancel key its client may quote. */
    public record Opened(Session session, StatementPipeline pipeline, SessionRegistry.CancelKey cancelKey) {
    }

    private final SessionRegistry registry;
    private final StatementPipelines pipelines;
    private final String environment;
    private final boolean recordParameters;
    private final Clock clock;
    private final SessionsPerIdentity perIdentity;

    public SessionOpener(SessionRegistry registry, StatementPipelines pipelines, VeilConfig config, Clock clock) {
        this.registry = registry;
        this.pipelines = pipelines;
        this.environment = config.environment();
        this.recordParameters = config.audit().recordParameters();
        this.clock = clock;
        this.perIdentity = new SessionsPerIdentity(config.identity().session().maxPerIdentity());
    }

    /**
     * Takes one of the places of a client just logged in as {@code identity}, before its session opens; the
     * returned action gives it back when the client is gone. Refused with 53300 / MySQL 1203 (a fatal
     * VeilException) when the identity already holds veil.identity.session.max-per-identity sessions.
     */
    public Runnable claim(Identity identity) {
        return perIdentity.claim(identity);
    }

    /** Places the identity holds now: its sessions, and its connections logged in and opening one. */
    public int sessionsOf(String identityName) {
        return perIdentity.of(identityName);
    }

    /** The live sessions: CancelRequest and KILL find their target there. */
    public SessionRegistry registry() {
        return registry;
    }

    /** Whether statements' bound parameter values go into their records (veil.audit.record-parameters). */
    public boolean recordParameters() {
        return recordParameters;
    }

    /** The session's client is gone: it leaves the registry and takes no more cancel, terminate or end requests. */
    public void close(Session session) {
        if (session != null) {
            session.clearCallbacks();
            registry.unregister(session);
        }
    }

    /**
     * The database user a session of {@code identity} on {@code upstream} logs in as, decided once before its
     * server connection is leased: the upstream's role user for the roles the identity holds (those the policy
     * file binds it to, and those Veil's configuration gives it), else the upstream's own user. Refused with
     * 42501 / MySQL 1142 (fatal) when none applies and the upstream requires one.
     */
    public DatabaseLogin login(Identity identity, UpstreamSettings upstream) {
        return login(identity, upstream, null);
    }

    /**
     * As above, for a client that gave {@code application} as its application name: a session in which an AI agent's
     * approved changes run ({@link AgentChanges#runsApprovedChanges}) logs in as the database user of the agent's
     * veil.agents.clients.&lt;id&gt;.approved-changes-role when one is set (its pipeline runs nothing there but
     * statements with an approval in force). Every other session, the agent's own included, is unchanged.
     */
    public DatabaseLogin login(Identity identity, UpstreamSettings upstream, String application) {
        String changes = AgentChanges.runsApprovedChanges(identity, application) ? identity.machine().approvedChangesRole() : null;
        if (changes != null && !upstream.roleUsers().isEmpty()) {
            return upstream.roleUsers().stream().filter(l -> l.role().equals(changes)).findFirst()
                    .orElseThrow(() -> VeilException.fatal(ErrorCode.POLICY_DENIED, "veil.agents.clients."
                            + identity.machine().clientId() + ".approved-changes-role names role " + changes + ", which has"
                            + " no database user on upstream " + upstream.name() + " (veil.upstreams." + upstream.name()
                            + ".role-users." + changes + "); ask an administrator to configure one"));
        }
        if (upstream.roleUsers().isEmpty()) {
            return upstream.ownLogin();
        }
        List<String> roles = pipelines.rolesOf(identity);
        return upstream.loginFor(roles).orElseThrow(() -> VeilException.fatal(ErrorCode.POLICY_DENIED,
                "veil.upstreams." + upstream.name() + ".require-role-user: " + identity.name() + " holds none of the roles"
                        + " with a database user on upstream " + upstream.name() + " (" + String.join(", ",
                        upstream.roleUsers().stream().map(DatabaseLogin::role).toList()) + "; it holds "
                        + (roles.isEmpty() ? "none" : String.join(", ", roles)) + "); ask an administrator for one of them"));
    }

    /**
     * A PostgreSQL replication connection (startup parameter {@code replication}) is opened only for the roles of
     * the policy's replication section: refused before any server connection is made (each would hold one of the
     * server's max_wal_senders), with 42501.
     */
    public void admitReplication(Identity identity) {
        List<String> roles = pipelines.rolesOf(identity);
        ReplicationSection replication = pipelines.replication();
        if (!replication.allows(roles)) {
            throw VeilException.fatal(ErrorCode.POLICY_DENIED, replication.refusal(roles));
        }
    }

    /**
     * @param id the id the client was already given (MySQL's handshake carries it), or a fresh one
     * @param processId the process id of the session's cancel key (PostgreSQL: the server backend's own)
     * @param program the client's self-declared program (application_name, program_name), may be null
     * @param login the database user of its server connections ({@link #login})
     */
    public Opened open(long id, int processId, Identity identity, Dialect dialect, String clientAddress, boolean tls,
                       UpstreamRouter.Route route, String program, DatabaseLogin login) {
        Session session = new Session(id, identity, environment, clientAddress, tls, route.upstream().name(),
                route.database(), clock.instant(), login);
        StatementPipeline pipeline = pipelines.open(session, dialect, route.upstream(), program);
        return new Opened(session, pipeline, registry.register(session, processId));
    }
}
