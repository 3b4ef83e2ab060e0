package dev.veil.session;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.ApprovalRequest.Status;
import dev.veil.approval.ApprovalWait;
import dev.veil.approval.Approvals;
import dev.veil.approval.StatementDigest;
import dev.veil.audit.AuditEvent;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.policy.AgentChanges;
import dev.veil.policy.Decision;
import dev.veil.policy.MaskingPlan;
import dev.veil.upstream.DatabaseLogin;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A statement a rule holds for approval, in one session: finds or opens its request, runs at once on an approval
 * in force, else records it as needing approval, tells the client where to have it approved (PostgreSQL: a
 * NoticeResponse through {@link #onNotice}), and waits (a timer on the session's loop, no thread) for the
 * decision, the timeout, or the client's cancel. Runs and refusals are recorded as any statement's: a run on an
 * approval gets its own allow record naming the request before it goes upstream.
 */
final class ApprovalHold {
    private static final Logger LOG = Logger.getLogger(ApprovalHold.class);

    private final Approvals approvals;
    private final SessionAudit audit;
    private final Dialect dialect;
    private Consumer<String> notices = m -> { };

    ApprovalHold(Approvals approvals, SessionAudit audit, Dialect dialect) {
        this.approvals = approvals;
        this.audit = audit;
        this.dialect = dialect;
    }

    void onNotice(Consumer<String> notices) {
        this.notices = notices;
    }

    /**
     * The statement and what the pipeline knows of it. {@code useOnly}: a session where an agent's approved
     * changes run: an approval in force is used, and nothing else is asked for or waited on. {@code masking}: the
     * plan its results go through when it runs on its approval (the identity's without the hold), {@code masks}
     * those columns as its allow record lists them.
     */
    record Held(Statement statement, Analysis known, AuditEvent.Analysis summary, Decision.RequireApproval decision,
                String database, boolean useOnly, MaskingPlan masking, List<AuditEvent.Mask> masks) {
    }

    Future<Ticket> hold(Held h) {
        Session session = audit.session();
        SessionAudit.Displayed shown = audit.displayed(h.statement().sql());
        Decision.RequireApproval d = h.decision();
        Approvals.Ask ask = new Approvals.Ask(session.identity().name(), session.identity().roles(), session.environment(),
                session.upstream(), h.database(), dialect.name().toLowerCase(), shown.fingerprint(), shown.text(),
                StatementDigest.of(h.statement().sql(), h.statement().parameterDigest()), d.rule(), d.reason(),
                d.demand().roles(), d.demand().count(),
                session.identity().machine() == null ? null : session.identity().machine().owner());
        if (h.useOnly()) {
            return approvals.inForce(ask).transform(found -> {
                ApprovalRequest r = found.succeeded() ? found.result() : null;
                if (r != null && r.statusAt(approvals.clock().instant()) == Status.APPROVED) {
                    return run(h, r, null);
                }
                return refuse(h, null, ErrorCode.POLICY_DENIED, d.rule() + ": this session runs only an agent's approved"
                        + " changes (application_name " + AgentChanges.APPLICATION + "), and this statement has no approval"
                        + " in force for " + session.identity().name() + " here" + (found.failed()
                        ? " (the approvals database cannot be reached now: " + found.cause().getMessage() + ")"
                        : r != null ? " (approval request " + r.id() + " is " + r.statusAt(approvals.clock().instant()).wire() + ")"
                        : "") + "; propose it with the MCP tool propose_change and have it approved");
            });
        }
        return approvals.requestFor(ask).transform(found -> {
            if (found.failed()) {
                LOG.warnf(found.cause(), "session %d: the approvals database could not be read", session.id());
                return refuse(h, null, ErrorCode.POLICY_DENIED, d.reason() + " (rule " + d.rule() + "): this statement "
                        + "needs an approval, and the approvals database cannot be reached now (" + found.cause().getMessage()
                        + "); try again later");
            }
            ApprovalRequest r = found.result();
            if (r.statusAt(approvals.clock().instant()) == Status.APPROVED) {
                return run(h, r, null);
            }
            return pending(h, r);
        });
    }

    private Future<Ticket> pending(Held h, ApprovalRequest r) {
        Decision.RequireApproval d = h.decision();
        Duration wait = approvals.timeout(d.demand().timeout());
        AuditEvent.Decision needs = new AuditEvent.Decision(AuditEvent.Verdict.NEEDS_APPROVAL, d.rule(), d.reason(),
                d.policyVersion(), StatementPipeline.observations(d));
        return audit.decided(h.statement().sql(), h.statement().parameters(), h.summary(), needs, List.of(), r.id())
                .compose(record -> {
                    notices.accept(d.reason() + " (rule " + d.rule() + "): this statement needs " + approvers(r)
                            + ". Approval request " + r.id() + ": " + approvals.link(r.id()) + " (or: veil approvals approve "
                            + r.id() + "). Waiting up to " + minutes(wait) + "; cancelling stops the wait, and the request "
                            + "stays open for the same statement");
                    Session session = audit.session();
                    long cancels = session.cancelRequests();
                    return approvals.await(r, wait, () -> session.cancelRequests() != cancels)
                            .transform(ended -> ended(h, record, r, wait, ended.succeeded() ? ended.result() : null));
                });
    }

    private Future<Ticket> ended(Held h, StatementRecord record, ApprovalRequest asked, Duration wait, ApprovalWait.Ended e) {
        Decision.RequireApproval d = h.decision();
        String head = d.reason() + " (rule " + d.rule() + "): approval request " + asked.id() + " ";
        ApprovalRequest r = e == null || e.request() == null ? asked : e.request();
        if (e != null && e.how() == ApprovalWait.How.APPROVED) {
            return run(h, r, record);
        }
        if (e != null && e.how() == ApprovalWait.How.CANCELLED) {
            ErrorCode cancelled = ErrorCode.QUERY_CANCELED;
            record.refused(sqlState(cancelled), errno(cancelled), new AuditEvent.Decision(AuditEvent.Verdict.DENY, d.rule(),
                    "cancelled by the client while waiting for approval " + r.id(), d.policyVersion(), List.of()));
            return Future.succeededFuture(new Ticket.Refuse(VeilException.error(cancelled, (dialect == Dialect.MYSQL
                    ? "Query execution was interrupted" : "canceling statement due to user request")
                    + " (while waiting for approval request " + r.id() + ", which stays open: " + approvals.link(r.id())
                    + "; run the same statement again once it is approved)")));
        }
        String what;
        if (e != null && e.how() == ApprovalWait.How.DENIED) {
            ApprovalRequest.Vote no = r.denial();
            what = "was denied by " + (no == null ? "an approver" : no.approver())
                    + (no == null || no.reason() == null || no.reason().isBlank() ? "" : ": " + no.reason());
        } else if (e != null && e.how() == ApprovalWait.How.EXPIRED) {
            what = "has expired without an approval; run the statement again to ask anew";
        } else {
            what = "was not decided within " + minutes(wait) + "; it stays open until " + r.expires()
                    + ": once approved at " + approvals.link(r.id()) + ", run the same statement again";
        }
        return refuse(h, record, ErrorCode.POLICY_DENIED, head + what);
    }

    /** Runs on the approval in force: once approvals are used here, atomically (another run may have won it). */
    private Future<Ticket> run(Held h, ApprovalRequest r, StatementRecord asked) {
        Decision.RequireApproval d = h.decision();
        return approvals.use(r).transform(used -> {
            if (used.failed() || !used.result()) {
                return refuse(h, asked, ErrorCode.POLICY_DENIED, d.reason() + " (rule " + d.rule() + "): approval request "
                        + r.id() + " is no longer in force (a once approval already used, or a window that closed); "
                        + "run the statement again to ask anew");
            }
            String mode = r.mode() == ApprovalRequest.Mode.WINDOW ? "window until " + r.windowUntil() : "once";
            AuditEvent.Decision allow = new AuditEvent.Decision(AuditEvent.Verdict.ALLOW, d.rule(), "approved by "
                    + r.approvers() + " (" + mode + "), approval " + r.id() + (h.useOnly() ? ranAs() : ""), d.policyVersion(),
                    StatementPipeline.observations(d));
            return audit.decided(h.statement().sql(), h.statement().parameters(), h.summary(), allow, h.masks(), r.id())
                    .map(record -> new Ticket.Run(record, h.known(), h.masking()));
        });
    }

    /** Refused: recorded as the completion of the request's record when there is one, else as a deny decision. */
    private Future<Ticket> refuse(Held h, StatementRecord record, ErrorCode code, String message) {
        Decision.RequireApproval d = h.decision();
        AuditEvent.Decision deny = new AuditEvent.Decision(AuditEvent.Verdict.DENY, d.rule(), message, d.policyVersion(),
                List.of());
        VeilException error = VeilException.error(code, message);
        if (record != null) {
            record.refused(sqlState(code), errno(code), deny);
            return Future.succeededFuture(new Ticket.Refuse(error));
        }
        return audit.decided(h.statement().sql(), h.statement().parameters(), h.summary(), deny)
                .<Ticket>map(rec -> new Ticket.Refuse(error))
                .otherwise(new Ticket.Refuse(error));
    }

    /** Which database user an agent's approved change runs as, for its record. */
    private String ranAs() {
        DatabaseLogin login = audit.session().login();
        if (login == null) {
            return "";
        }
        return "; run as database user " + login.user() + (login.role() == null ? " (the upstream's own)"
                : " (role " + login.role() + (login.readOnly() ? ", read-only" : "") + ")");
    }

    private String sqlState(ErrorCode code) {
        return dialect == Dialect.MYSQL ? code.mysqlSqlState() : code.sqlState();
    }

    private Integer errno(ErrorCode code) {
        return dialect == Dialect.MYSQL ? code.mysqlErrno() : null;
    }

    private static String approvers(ApprovalRequest r) {
        String roles = String.join(" or ", r.approverRoles());
        return r.approversNeeded() == 1 ? "an approval by a holder of role " + roles
                : r.approversNeeded() + " approvals by different holders of role " + roles;
    }

    private static String minutes(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
