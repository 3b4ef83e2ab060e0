package dev.veil.session;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.StatementKind;
import dev.veil.analysis.text.DatabaseDrops;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.approval.Approvals;
import dev.veil.audit.AuditEvent;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.policy.AgentChanges;
import dev.veil.policy.Decision;
import dev.veil.policy.MaskingPlan;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicySet;
import dev.veil.policy.SessionFacts;
import dev.veil.policy.StatementFacts;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One session's statement pipeline, the same for both wires: analysis, then the decision, then the audit
 * record, then a {@link Ticket} saying what to do. Every refusal of either wire goes through here, so each is
 * recorded as a {@code statement.decided} with a deny decision and the rule that made it. Confined to the
 * session's event loop; a cache hit completes without leaving it.
 */
public final class StatementPipeline {
    /** The rule named when the wire protocol itself cannot carry a command through Veil. */
    public static final String PROTOCOL_RULE = "builtin.protocol";
    /** The rule named when a statement is over its identity's probing budget. */
    public static final String PROBING_BUDGET_RULE = "masking.probing-budget";

    private final StatementAnalysis analysis;
    private final PolicyEngine policy;
    private final SessionAudit audit;
    private final UpstreamRegistry upstreams;
    private final UpstreamSettings upstream;
    private final Dialect dialect;
    private final LexicalSettings lexical;
    /** Who asks, from where, with which application: what the policy knows of the session. */
    private final SessionFacts facts;
    private final ProbingBudget probing;
    private final AgentRate rate;
    private final Approvals approvals;
    private final ApprovalHold held;
    /** A session where an agent's approved changes run, and nothing else ({@link AgentChanges#APPLICATION}). */
    private final boolean approvedChanges;
    private String database;

    public StatementPipeline(StatementAnalysis analysis, PolicyEngine policy, SessionAudit audit, UpstreamRegistry upstreams,
                             UpstreamSettings upstream, Dialect dialect, String database, SessionFacts facts,
                             ProbingBudget probing) {
        this(analysis, policy, audit, upstreams, upstream, dialect, database, facts, probing, new AgentRate(Clock.systemUTC()),
                Approvals.unavailable("approvals are not configured here"));
    }

    /**
     * {@code rate}: the machine clients' statements-per-minute counts, shared by every session; {@code approvals}:
     * where statements held for approval wait (docs/approvals.md).
     */
    public StatementPipeline(StatementAnalysis analysis, PolicyEngine policy, SessionAudit audit, UpstreamRegistry upstreams,
                             UpstreamSettings upstream, Dialect dialect, String database, SessionFacts facts,
                             ProbingBudget probing, AgentRate rate, Approvals approvals) {
        this.rate = rate;
        this.approvals = approvals;
        this.held = new ApprovalHold(approvals, audit, dialect);
        this.approvedChanges = AgentChanges.runsApprovedChanges(facts.identity(), facts.application());
        this.analysis = analysis;
        this.probing = probing;
        this.policy = policy;
        this.audit = audit;
        this.facts = facts;
        this.upstreams = upstreams;
        this.upstream = upstream;
        this.dialect = dialect;
        this.lexical = LexicalSettings.defaults(dialect);
        this.database = database;
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * Where the client is told of a statement waiting for approval (PostgreSQL: a NoticeResponse); MySQL has no
     * such channel, and its error on a denial or timeout carries the link.
     */
    public void onApprovalNotice(Consumer<String> notices) {
        held.onNotice(notices);
    }

    /** The session moved to another database (MySQL USE / COM_INIT_DB): names resolve there from now on. */
    public void database(String database) {
        this.database = database;
    }

    /** Analyses, decides and records a statement. */
    public Future<Ticket> submit(Statement statement) {
        long cancels = audit.session().cancelRequests();
        return analyse(statement.sql()).compose(a -> decided(statement, a)).map(t -> unlessCancelled(t, cancels));
    }

    /**
     * A statement the client cancelled while Veil was still deciding on it is refused as the server would have
     * cancelled it: the server drops a cancel for a statement it has not started (or is still reading), so
     * forwarding the cancel alone would let the statement run to its end.
     */
    private Ticket unlessCancelled(Ticket ticket, long cancelsBefore) {
        if (!(ticket instanceof Ticket.Run run) || audit.session().cancelRequests() == cancelsBefore) {
            return ticket;
        }
        ErrorCode cancelled = ErrorCode.QUERY_CANCELED;
        if (run.record() != null) {
            boolean mysql = dialect == Dialect.MYSQL;
            run.record().completed(AuditEvent.Outcome.ERROR, null, null, mysql ? cancelled.mysqlSqlState() : cancelled.sqlState(),
                    mysql ? cancelled.mysqlErrno() : null);
        }
        return new Ticket.Refuse(VeilException.error(cancelled, dialect == Dialect.MYSQL
                ? "Query execution was interrupted" : "canceling statement due to user request"));
    }

    public Future<Ticket> submit(FastPathCall call) {
        return audit.catalogSettled().transform(ignored -> analysis.routine(upstream, database, call.oid()))
                .compose(routine -> analyse(call.sql(routine)).compose(a -> decided(
                        new Statement(dialect, call.recorded(routine), null, call.arguments(), false),
                        call.raised(a, routine))));
    }

    /**
     * Decides and records a statement whose analysis is already known (a prepared statement analysed when it
     * was prepared; null when nothing is known of it). A statement only being prepared is recorded when
     * refused; when allowed it is recorded each time it runs.
     */
    public Future<Ticket> decide(Statement statement, Analysis known) {
        long cancels = audit.session().cancelRequests();
        return decided(statement, known).map(t -> unlessCancelled(t, cancels));
    }

    private Future<Ticket> decided(Statement statement, Analysis known) {
        Decision.Deny overRate = statement.preparing() ? null : rate.charge(facts.identity());
        StatementFacts asked = new StatementFacts(statement.dialect(), statement.sql(), statement.preparing(), known, facts,
                database);
        Decision decided = overRate != null ? overRate
                : approvedChanges ? AgentChanges.decide(policy, asked) : policy.decide(asked);
        Decision decision = decided instanceof Decision.Allow allow && !allow.masking().probes().isEmpty()
                && !statement.preparing() ? probed(allow) : decided;
        if (statement.preparing() && decision instanceof Decision.Allow allow) {
            return Future.succeededFuture(new Ticket.Run(null, known, allow.masking()));
        }
        boolean approvable = decision instanceof Decision.RequireApproval && approvals.unavailableReason() == null;
        // What it runs as once approved; a refusal there (a mask rule's) stands now, before anyone is asked.
        Decision onApproval = approvable ? onApproval(asked, statement) : null;
        if (onApproval instanceof Decision.Deny) {
            decision = onApproval;
            approvable = false;
        }
        MaskingPlan approvedPlan = onApproval instanceof Decision.Allow allow ? allow.masking() : MaskingPlan.NONE;
        if (statement.preparing() && approvable) {
            return Future.succeededFuture(new Ticket.Run(null, known, approvedPlan)); // held when it runs
        }
        AuditEvent.Analysis summary = known == null ? AuditEvent.Analysis.notAnalysed() : analysis.summary(known);
        if (approvable) {
            Future<Ticket> waited = held.hold(new ApprovalHold.Held(statement, known, summary,
                    (Decision.RequireApproval) decision, database, approvedChanges, approvedPlan, masks(onApproval)));
            List<String> dropping = databasesDropped(statement.sql(), known);
            return dropping.isEmpty() ? waited : waited.compose(t -> t instanceof Ticket.Run
                    ? afterReleasing(dropping, Future.succeededFuture(t)) : Future.succeededFuture(t));
        }
        Decision ruling = decision;
        Future<Ticket> ticket = audit.decided(statement.sql(), statement.parameters(), summary, recorded(ruling),
                        masks(ruling))
                .map(record -> ticket(ruling, record, known));
        List<String> dropped = ruling instanceof Decision.Allow ? databasesDropped(statement.sql(), known) : List.of();
        return dropped.isEmpty() ? ticket : afterReleasing(dropped, ticket);
    }

    /**
     * The decision a statement held for approval runs under once approved: the approval decides the statement, not
     * its results, so it is masked as it would be without the hold (its probes count against the budget). An
     * agent's approved change is decided by {@link AgentChanges}, which refuses masked results itself.
     */
    private Decision onApproval(StatementFacts asked, Statement statement) {
        if (approvedChanges) {
            return new Decision.Allow(AgentChanges.RULE, MaskingPlan.NONE);
        }
        Decision d = policy.decideApproved(asked);
        return d instanceof Decision.Allow allow && !allow.masking().probes().isEmpty() && !statement.preparing()
                ? probed(allow) : d;
    }

    /**
     * A statement that probes masked columns (as its masking rule allows) counts against the identity's probing
     * budget of the policy in force; past it, it is refused until the budget resets on the hour.
     */
    private Decision probed(Decision.Allow allow) {
        PolicySet inForce = policy.policy();
        int budget = inForce == null ? 0 : inForce.probingBudget();
        Instant reset = probing.charge(facts.identity().name(), budget);
        if (reset == null) {
            return allow;
        }
        return new Decision.Deny(PROBING_BUDGET_RULE, ErrorCode.POLICY_DENIED, "masking probing budget: \""
                + facts.identity().name() + "\" has run the " + budget + " statements per hour that may filter, join or "
                + "group on masked columns (here " + String.join(", ", allow.masking().probes()) + ") that the policy "
                + "allows (masking.probing-budget); the budget resets at " + reset + ". Ask an administrator if you need "
                + "more", allow.policyVersion(), allow.observed());
    }

    /** The masked columns of an allowed statement's result, as the audit trail lists them. */
    static List<AuditEvent.Mask> masks(Decision decision) {
        if (!(decision instanceof Decision.Allow allow) || allow.masking().columns().isEmpty()) {
            return List.of();
        }
        List<AuditEvent.Mask> out = new ArrayList<>();
        for (MaskingPlan.ColumnMask c : allow.masking().columns()) {
            out.add(new AuditEvent.Mask(c.index(), c.name(), c.tags().isEmpty() ? null : c.tags().get(0), c.maskerName(),
                    c.tags(), c.origins()));
        }
        return out;
    }

    /** The databases the statement drops or renames (DDL, or text the analysis could not classify). */
    private List<String> databasesDropped(String sql, Analysis known) {
        StatementKind kind = known == null ? StatementKind.UNKNOWN : known.kind();
        if (kind != StatementKind.DDL && kind != StatementKind.UNKNOWN || !DatabaseDrops.mayDrop(sql)) {
            return List.of();
        }
        return DatabaseDrops.named(lexical, sql);
    }

    /**
     * The statement goes upstream once Veil's idle connections to the databases it drops or renames have been
     * told to end (in parallel with its audit record): the server refuses while anyone is connected to them.
     */
    private Future<Ticket> afterReleasing(List<String> databases, Future<Ticket> ticket) {
        Context session = Vertx.currentContext();
        Future<Void> released = Future.join(databases.stream().map(db -> upstreams.releaseDatabase(upstream.name(), db)).toList())
                .mapEmpty();
        Promise<Ticket> ready = Promise.promise();
        Future.join(released, ticket).onComplete(ar -> {
            // Back on the session's loop, whichever loop closed the last connection.
            if (session == null) {
                ready.handle(ticket);
            } else {
                session.runOnContext(v -> ready.handle(ticket));
            }
        });
        return ready.future();
    }

    /**
     * Records a command the wire protocol cannot carry through Veil (refused by the front end's admission) and
     * answers with its error. The command does not run whatever happens, so a failing audit trail does not
     * change the client's answer.
     */
    public Future<Ticket> refuse(Statement statement, VeilException error) {
        PolicySet inForce = policy.policy();
        AuditEvent.Decision d = new AuditEvent.Decision(AuditEvent.Verdict.DENY, PROTOCOL_RULE, error.getMessage(),
                inForce == null ? null : inForce.version(), List.of());
        return audit.decided(statement.sql(), null, AuditEvent.Analysis.notAnalysed(), d)
                .<Ticket>map(record -> new Ticket.Refuse(error))
                .otherwise(new Ticket.Refuse(error));
    }

    /** The session is over (once): its end goes to the audit trail. */
    public void ended(String reason) {
        audit.ended(reason);
    }

    /**
     * The session's transaction is over (PostgreSQL ReadyForQuery 'I', MySQL without SERVER_STATUS_IN_TRANS): DDL
     * it ran is committed or gone, so the catalog is refreshed now, in the background.
     */
    public void transactionIdle() {
        audit.transactionIdle();
    }

    /**
     * Analyses a statement without deciding on it (a MySQL prepare, whose decision is taken when it runs). After
     * this session's own DDL, it waits (bounded) for the refreshed catalog, so the session sees what it created;
     * other sessions never wait for a refresh.
     */
    public Future<Analysis> analyse(String sql) {
        NameResolution names = dialect == Dialect.MYSQL ? NameResolution.mysql(database) : null;
        Future<Void> settled = audit.catalogSettled();
        if (settled.isComplete()) {
            return analysis.analyze(upstream, database, lexical, names, sql);
        }
        return settled.compose(v -> analysis.analyze(upstream, database, lexical, names, sql));
    }

    private Ticket ticket(Decision decision, StatementRecord record, Analysis analysis) {
        if (decision instanceof Decision.Allow allow) {
            return new Ticket.Run(record, analysis, allow.masking(), allow.ceiling());
        }
        if (decision instanceof Decision.Deny deny) {
            return new Ticket.Refuse(deny.error());
        }
        Decision.RequireApproval approval = (Decision.RequireApproval) decision;
        return new Ticket.Refuse(VeilException.error(ErrorCode.POLICY_DENIED, approval.reason() + " (rule "
                + approval.rule() + "): this statement needs an approval, and " + approvals.unavailableReason()
                + " (docs/approvals.md); ask an administrator"));
    }

    /**
     * The decision as the audit trail records it, with the policy version and the observe-mode rules that
     * matched. A required approval where approvals are not available is recorded as the refusal it is.
     */
    private static AuditEvent.Decision recorded(Decision decision) {
        List<AuditEvent.Observation> observed = observations(decision);
        List<String> probes = decision instanceof Decision.Allow allow ? allow.masking().probes() : List.of();
        return new AuditEvent.Decision(verdict(decision), decision.rule(), reason(decision), decision.policyVersion(), observed,
                probes);
    }

    /** The observe-mode rules that matched before the decision, as the audit trail records them. */
    static List<AuditEvent.Observation> observations(Decision decision) {
        List<AuditEvent.Observation> observed = new ArrayList<>(decision.observed().size());
        for (Decision.Observation o : decision.observed()) {
            observed.add(new AuditEvent.Observation(o.rule(), AuditEvent.Observation.OBSERVE, verdict(o.wouldHave()),
                    reason(o.wouldHave())));
        }
        return observed;
    }

    private static AuditEvent.Verdict verdict(Decision decision) {
        return decision instanceof Decision.Allow ? AuditEvent.Verdict.ALLOW : AuditEvent.Verdict.DENY;
    }

    private static String reason(Decision decision) {
        if (decision instanceof Decision.Deny deny) {
            return deny.reason();
        }
        return decision instanceof Decision.RequireApproval approval ? approval.reason() : null;
    }
}
