package dev.veil.session;

import dev.veil.analysis.Dialect;
import dev.veil.approval.access.Access;
import dev.veil.approval.access.AccessGrant;
import dev.veil.config.VeilConfig;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.identity.Identity;
import dev.veil.policy.AgentChanges;
import dev.veil.policy.ReplicationSection;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.UpstreamRouter;
import dev.veil.upstream.UpstreamSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;

/**
 * Opens client sessions for either wire: the session itself (who, from where, to which upstream and
 * database, in which environment) and the statement pipeline every statement of it goes through.
 */
@ApplicationScoped
public class SessionOpener {
    private static final Logger LOG = Logger.getLogger(SessionOpener.class);
    /** A session just opened and registered, with its pipeline and the cancel key its client may quote. */
    public record Opened(Session session, StatementPipeline pipeline, SessionRegistry.CancelKey cancelKey) {
    }

    private final SessionRegistry registry;
    private final StatementPipelines pipelines;
    private final String environment;
    private final boolean recordParameters;
    private final Clock clock;
    private final SessionsPerIdentity perIdentity;
    private Access access = Access.unavailable("access requests are not configured here");
    /** Ends sessions opened under a grant when it ends; null without access requests. */
    private GrantWatch grantWatch;

    public SessionOpener(SessionRegistry registry, StatementPipelines pipelines, VeilConfig config, Clock clock) {
        this.registry = registry;
        this.pipelines = pipelines;
        this.environment = config.environment();
        this.recordParameters = config.audit().recordParameters();
        this.clock = clock;
        this.perIdentity = new SessionsPerIdentity(config.identity().session().maxPerIdentity());
    }

    /** {@code access}: where the identities' just-in-time grants are read (admin/AccessBeans makes it). */
    @Inject
    public SessionOpener(SessionRegistry registry, StatementPipelines pipelines, VeilConfig config, Clock clock,
                         Access access, Vertx vertx) {
        this(registry, pipelines, config, clock);
        this.access = access;
        this.grantWatch = access.unavailableReason() == null ? new GrantWatch(access, pipelines, vertx, clock) : null;
    }

    /**
     * The access grants in force for {@code identity}, read from the control plane on the caller's event loop
     * (within veil.access.lookup-timeout) when the policy in force lets it hold any; never failed: when they cannot
     * be read, none, with the problem its client is told (fail closed: the session opens without them).
     */
    public Future<SessionGrants> grants(Identity identity) {
        if (access.unavailableReason() != null || !pipelines.mayHoldGrants(identity)) {
            return Future.succeededFuture(SessionGrants.NONE);
        }
        return access.grantsOf(identity.name()).map(g -> new SessionGrants(g, null)).otherwise(e -> {
            String why = "your access grants could not be read (" + e.getMessage() + "); this session opens without "
                    + "any granted role. Reconnect to try again";
            LOG.warnf("session of %s: %s", identity.name(), why);
            return new SessionGrants(List.of(), why);
        });
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
            if (grantWatch != null) {
                grantWatch.forget(session);
            }
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
        return login(identity, SessionGrants.NONE, upstream, null);
    }

    /**
     * As above, with the roles of the identity's access grants in force ({@link #grants}) among those it holds, for
     * a client that gave {@code application} as its application name: a session in which an AI agent's approved
     * changes run ({@link AgentChanges#runsApprovedChanges}) logs in as the database user of the agent's
     * veil.agents.clients.&lt;id&gt;.approved-changes-role when one is set (its pipeline runs nothing there but
     * statements with an approval in force). Every other session, the agent's own included, is unchanged.
     */
    public DatabaseLogin login(Identity identity, SessionGrants grants, UpstreamSettings upstream, String application) {
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
        List<String> roles = pipelines.rolesOf(identity, grants.roles());
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
        return open(id, processId, identity, dialect, clientAddress, tls, route, program, login, SessionGrants.NONE);
    }

    /**
     * @param grants the identity's access grants in force ({@link #grants}): their roles join those the policy
     *               binds it to for this session, which ends when one of them does ({@link GrantWatch})
     */
    public Opened open(long id, int processId, Identity identity, Dialect dialect, String clientAddress, boolean tls,
                       UpstreamRouter.Route route, String program, DatabaseLogin login, SessionGrants grants) {
        Session session = new Session(id, identity, environment, clientAddress, tls, route.upstream().name(),
                route.database(), clock.instant(), login);
        // A grant applies when it gives a role the identity would not hold without it, and the policy still lets it.
        List<String> held = pipelines.rolesOf(identity, grants.roles());
        List<String> without = pipelines.rolesOf(identity);
        List<AccessGrant> applied = grants.grants().stream()
                .filter(g -> held.contains(g.role()) && !without.contains(g.role())).toList();
        StatementPipeline pipeline = pipelines.open(session, dialect, route.upstream(), program,
                applied.stream().map(AccessGrant::role).distinct().toList());
        Opened opened = new Opened(session, pipeline, registry.register(session, processId));
        if (!applied.isEmpty() && grantWatch != null) {
            LOG.infof("session %d of %s holds role(s) %s under access grant(s) %s", id, identity.name(),
                    String.join(", ", applied.stream().map(AccessGrant::role).distinct().toList()),
                    String.join(", ", applied.stream().map(g -> g.id() + " until " + g.expires()).toList()));
            grantWatch.watch(session, applied);
        }
        return opened;
    }
}
