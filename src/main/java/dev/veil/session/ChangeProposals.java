package dev.veil.session;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.Approvals;
import dev.veil.approval.StatementDigest;
import dev.veil.audit.LiteralRedactor;
import dev.veil.config.VeilConfig;
import dev.veil.error.VeilException;
import dev.veil.identity.Identity;
import dev.veil.policy.AgentChanges;
import dev.veil.policy.Decision;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.SessionFacts;
import dev.veil.policy.StatementFacts;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.UpstreamRouter;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A change an AI agent proposes (MCP propose_change): routed, analysed and decided as the wire session that will
 * run it on its approval decides it ({@link AgentChanges}: same upstream and database, same catalog, built-in
 * rules and policy file, application {@link AgentChanges#APPLICATION}), then held as an approval request bound to
 * the agent, the environment, the upstream and database and the digest of the exact text, with the agent's owner
 * as an approver. Nothing runs here. Counted against the agent's statements per minute like a statement.
 */
@ApplicationScoped
public class ChangeProposals {
    /** What became of a proposal. */
    public sealed interface Outcome permits Refused, Held {
    }

    /** Refused outright by {@code rule} (the approval would not change that), or not possible here. */
    public record Refused(String rule, String message) implements Outcome {
    }

    /** Held for approval: the request (pending, or already approved when the same change was proposed before). */
    public record Held(ApprovalRequest request, String link) implements Outcome {
    }

    private final StatementPipelines pipelines;
    private final StatementAnalysis analysis;
    private final PolicyEngine policy;
    private final SessionOpener opener;
    private final SessionAuditor auditor;
    private final UpstreamRouter router;
    private final VeilConfig config;

    public ChangeProposals(StatementPipelines pipelines, StatementAnalysis analysis, PolicyEngine policy,
                           SessionOpener opener, SessionAuditor auditor, UpstreamRouter router, VeilConfig config) {
        this.pipelines = pipelines;
        this.analysis = analysis;
        this.policy = policy;
        this.opener = opener;
        this.auditor = auditor;
        this.router = router;
        this.config = config;
    }

    /** {@code database}: as a PostgreSQL client names it (null: the listener's default upstream). */
    public Future<Outcome> propose(Identity identity, String clientAddress, String database, String sql) {
        Approvals approvals = pipelines.approvals();
        if (!identity.agent() || identity.machine() == null) {
            return refused("propose_change is for AI agents (veil.agents.clients); " + identity.name()
                    + " runs its changes through its own database session");
        }
        if (approvals.unavailableReason() != null) {
            return refused("a proposed change waits for a person's approval, and " + approvals.unavailableReason());
        }
        Decision.Deny over = pipelines.rate().charge(identity);
        if (over != null) {
            return Future.succeededFuture(new Refused(over.rule(), over.reason()));
        }
        UpstreamRouter.Route route;
        DatabaseLogin login;
        try {
            route = router.route(Dialect.POSTGRESQL, database, config.pg().defaultUpstream());
            login = opener.login(identity, SessionGrants.NONE, route.upstream(), AgentChanges.APPLICATION);
        } catch (VeilException e) {
            return refused(e.getMessage());
        }
        SessionFacts facts = new SessionFacts(identity, clientAddress, AgentChanges.APPLICATION, login.readOnly());
        return analysis.analyze(route.upstream(), route.database(), LexicalSettings.defaults(Dialect.POSTGRESQL), null, sql)
                .compose(a -> held(identity, route, sql, a, AgentChanges.decide(policy,
                        new StatementFacts(Dialect.POSTGRESQL, sql, false, a, facts, route.database())), approvals));
    }

    private Future<Outcome> held(Identity identity, UpstreamRouter.Route route, String sql, Analysis a, Decision d,
                                 Approvals approvals) {
        if (d instanceof Decision.Deny deny) {
            return Future.succeededFuture(new Refused(deny.rule(), deny.reason()));
        }
        Decision.RequireApproval r = (Decision.RequireApproval) d;
        // The text as the audit trail shows it: what approvers read (the digest binds the exact text).
        LiteralRedactor.Redacted shown = auditor.redactor("postgresql").read(sql);
        Approvals.Ask ask = new Approvals.Ask(identity.name(), identity.roles(), config.environment(), route.upstream().name(),
                route.database(), "postgresql", shown.fingerprint(), auditor.redactLiterals ? shown.text() : sql,
                StatementDigest.of(sql, null), r.rule(), r.reason(), r.demand().roles(), r.demand().count(),
                identity.machine().owner());
        return approvals.requestFor(ask).map(req -> new Held(req, approvals.link(req.id())));
    }

    private static Future<Outcome> refused(String message) {
        return Future.succeededFuture(new Refused(AgentChanges.RULE, message));
    }
}
