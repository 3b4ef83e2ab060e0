package dev.veil.session;

import dev.veil.analysis.Dialect;
import dev.veil.approval.Approvals;
import dev.veil.identity.Identity;
import dev.veil.policy.PolicySet;
import dev.veil.policy.ReplicationSection;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.SessionFacts;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Opens the statement pipeline of each new session, for either wire. */
@ApplicationScoped
public class StatementPipelines {
    private final StatementAnalysis analysis;
    private final SessionAuditor auditor;
    private final PolicyEngine policy;
    private final UpstreamRegistry upstreams;
    private final ProbingBudget probing;
    private final AgentRate rate = new AgentRate(Clock.systemUTC());
    private Approvals approvals = Approvals.unavailable("approvals are not configured here");

    /** {@code policy}: the built-in rules and the policy file in force (see PolicyBeans), or other rules (tests). */
    public StatementPipelines(StatementAnalysis analysis, SessionAuditor auditor, PolicyEngine policy, UpstreamRegistry upstreams) {
        this(analysis, auditor, policy, upstreams, new ProbingBudget(Clock.systemUTC()));
    }

    /** {@code approvals}: where statements held for approval wait (admin/ApprovalBeans makes it). */
    @Inject
    public StatementPipelines(StatementAnalysis analysis, SessionAuditor auditor, PolicyEngine policy, UpstreamRegistry upstreams,
                              Approvals approvals) {
        this(analysis, auditor, policy, upstreams, new ProbingBudget(Clock.systemUTC()));
        this.approvals = approvals;
    }

    /** The machine clients' rates, shared by every session (and the proposals of MCP's propose_change). */
    AgentRate rate() {
        return rate;
    }

    /** Where statements held for approval wait. */
    Approvals approvals() {
        return approvals;
    }

    /** The approvals every session opened from now on uses (tests). */
    public void approvals(Approvals approvals) {
        this.approvals = approvals;
    }

    /** {@code probing}: the probing budget every session's pipeline charges (tests bring one on their clock). */
    public StatementPipelines(StatementAnalysis analysis, SessionAuditor auditor, PolicyEngine policy, UpstreamRegistry upstreams,
                              ProbingBudget probing) {
        this.probing = probing;
        this.analysis = analysis;
        this.auditor = auditor;
        this.policy = policy;
        this.upstreams = upstreams;
    }

    /**
     * The roles {@code identity} holds now: those the policy file in force binds it to, in the file's order, then
     * those Veil's configuration gives it (local and service accounts' roles, a provider's role-map).
     */
    public List<String> rolesOf(Identity identity) {
        return rolesOf(identity, List.of());
    }

    /**
     * As {@link #rolesOf(Identity)}, with the policy roles {@code granted} to the identity just in time that the
     * policy's access section still lets it hold (docs/access.md).
     */
    public List<String> rolesOf(Identity identity, Collection<String> granted) {
        Set<String> roles = new LinkedHashSet<>();
        PolicySet set = policy.policy();
        if (set != null) {
            roles.addAll(set.rolesOf(identity, granted));
        }
        roles.addAll(identity.roles());
        return List.copyOf(roles);
    }

    /** The roles the policy file in force binds {@code identity} to (no grants, no configured roles). */
    public List<String> policyRolesOf(Identity identity) {
        PolicySet set = policy.policy();
        return set == null ? List.of() : set.rolesOf(identity);
    }

    /** Whether the policy in force lets {@code identity} hold any access grant (else its grants are not read). */
    public boolean mayHoldGrants(Identity identity) {
        PolicySet set = policy.policy();
        return set != null && set.access().mayHoldGrants(set.rolesOf(identity));
    }

    /** The replication grant of the policy file in force (none without one). */
    public ReplicationSection replication() {
        PolicySet set = policy.policy();
        return set == null ? ReplicationSection.NONE : set.replication();
    }

    /**
     * Records the session's start and returns its pipeline. Both front ends hold a read's answer until its
     * record is durable, so reads may run while their record is fsync'd.
     */
    public StatementPipeline open(Session session, Dialect dialect, UpstreamSettings upstream, String applicationName) {
        return open(session, dialect, upstream, applicationName, List.of());
    }

    /** {@code granted}: the policy roles the identity's access grants in force give it (docs/access.md). */
    public StatementPipeline open(Session session, Dialect dialect, UpstreamSettings upstream, String applicationName,
                                  List<String> granted) {
        String protocol = dialect == Dialect.MYSQL ? "mysql" : "postgresql";
        SessionAudit audit = auditor.sessionStarted(session, protocol, applicationName, true);
        Identity.Machine machine = session.identity().machine();
        if (machine != null && machine.rowsPerHour() > 0) {
            audit.countRows(n -> rate.rows(session.identity(), n));
        }
        SessionFacts facts = new SessionFacts(session.identity(), session.clientAddress(), applicationName,
                session.login() != null && session.login().readOnly(), granted);
        return new StatementPipeline(analysis, policy, audit, upstreams, upstream, dialect, session.database(), facts,
                probing, rate, approvals);
    }
}
