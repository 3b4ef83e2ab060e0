package dev.veil.mcp;

import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.ApprovalRequest.Status;
import dev.veil.approval.Approvals;
import dev.veil.approval.StatementDigest;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.identity.Identity;
import dev.veil.policy.AgentChanges;
import dev.veil.session.ChangeProposals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * propose_change and get_change_result: an agent's change held for a person's approval, then run on it. The
 * proposal is decided in process as its run will be ({@link ChangeProposals}); the run goes through Veil's own
 * PostgreSQL listener like run_read_query, in a session marked {@link AgentChanges#APPLICATION} that runs only
 * statements with an approval in force, so analysis, policy, the use of the approval and the audit records are
 * the wire's. The request keeps only the redacted text and the digest: the exact text waits here, in memory, until
 * it runs (after a restart, or on another instance, the agent passes it again as {@code sql}; its digest must match).
 */
final class ChangeTools {
    static final String PROPOSAL_KIND = "veil.change-proposal";
    static final String RESULT_KIND = "veil.change-result";
    static final int LONGEST_WAIT_SECONDS = 60;
    private static final int REMEMBERED = 10_000;

    private final ChangeProposals proposals;
    private final Approvals approvals;
    private final WireQuery wire;
    private final AuditLog audit;
    private final Clock clock;
    /** Request id → the exact text proposed, until it runs or its request can no longer be used. */
    private final Map<String, Proposed> texts = new ConcurrentHashMap<>();

    private record Proposed(String identity, String sql, Instant expires) {
    }

    ChangeTools(ChangeProposals proposals, Approvals approvals, WireQuery wire, AuditLog audit, Clock clock) {
        if (!AgentChanges.APPLICATION.equals(McpEndpoint.APPLICATION_PREFIX + "get_change_result")) {
            throw new IllegalStateException("the approved-change sessions' application_name is the tool's");
        }
        this.proposals = proposals;
        this.approvals = approvals;
        this.wire = wire;
        this.audit = audit;
        this.clock = clock;
    }

    Future<JsonObject> propose(McpCaller caller, String database, String sql) {
        return proposals.propose(caller.identity(), caller.address(), database, sql).compose(outcome -> {
            Map<String, String> detail = detail(caller, database);
            JsonObject answer;
            if (outcome instanceof ChangeProposals.Held held) {
                ApprovalRequest r = held.request();
                remember(r, caller, sql);
                detail.put("request", r.id());
                detail.put("rule", r.rule());
                detail.put("status", r.status().wire());
                answer = proposal(r, held.link());
            } else {
                ChangeProposals.Refused refused = (ChangeProposals.Refused) outcome;
                detail.put("rule", refused.rule());
                detail.put("refused", refused.message());
                answer = McpTools.error("refused by Veil: " + refused.message() + " (nothing was run or queued)");
            }
            return record(caller, "propose_change", detail, !answer.getBoolean("isError")).map(answer);
        });
    }

    Future<JsonObject> result(McpCaller caller, String id, int waitSeconds, String sql) {
        if (approvals.unavailableReason() != null) {
            return Future.succeededFuture(McpTools.error(approvals.unavailableReason()));
        }
        int wait = Math.max(0, Math.min(waitSeconds, LONGEST_WAIT_SECONDS));
        return approvals.store().get(id).compose(r -> {
            if (r == null || !r.identity().equals(caller.identity().name())) {
                return Future.succeededFuture(McpTools.error("no approval request " + id + " of " + caller.identity().name()
                        + "; propose_change returns the request_id"));
            }
            if (r.statusAt(clock.instant()) == Status.PENDING && wait > 0) {
                return approvals.await(r, Duration.ofSeconds(wait), () -> false)
                        .compose(ended -> settled(caller, ended.request() == null ? r : ended.request(), sql));
            }
            return settled(caller, r, sql);
        });
    }

    private Future<JsonObject> settled(McpCaller caller, ApprovalRequest r, String given) {
        Status s = r.statusAt(clock.instant());
        JsonObject state = new JsonObject().put("kind", PROPOSAL_KIND).put("request_id", r.id());
        switch (s) {
            case PENDING:
                return Future.succeededFuture(structured(proposal(r, approvals.link(r.id())).getJsonObject("structuredContent")));
            case DENIED: {
                ApprovalRequest.Vote no = r.denial();
                texts.remove(r.id());
                return Future.succeededFuture(structured(state.put("status", "denied")
                        .put("denied_by", no == null ? null : no.approver()).put("reason", no == null ? null : no.reason())));
            }
            case EXPIRED:
                texts.remove(r.id());
                return Future.succeededFuture(structured(state.put("status", "expired").put("message", "the request was not"
                        + " approved (or its approval not used) in time; propose the change again to ask anew")));
            case USED:
                texts.remove(r.id());
                return Future.succeededFuture(structured(state.put("status", "already_run").put("message", "approval "
                        + r.id() + " was for one run, and the change has run; propose it again to run it again")));
            default:
                return run(caller, r, given);
        }
    }

    private Future<JsonObject> run(McpCaller caller, ApprovalRequest r, String given) {
        Proposed p = texts.get(r.id());
        String sql = given != null ? given : p != null && p.identity().equals(caller.identity().name()) ? p.sql() : null;
        if (sql == null) {
            return Future.succeededFuture(McpTools.error("approval request " + r.id() + " is approved, and this Veil no longer"
                    + " holds its exact text (it keeps only a digest): call get_change_result again with the same sql you"
                    + " proposed"));
        }
        if (!StatementDigest.of(sql, null).equals(r.digest())) {
            return Future.succeededFuture(McpTools.error("this sql is not the text approval request " + r.id()
                    + " was approved for (it must be identical, spaces and case included)"));
        }
        return wire.run(caller, r.upstream() + "/" + r.database(), "get_change_result", sql, false)
                .map(result -> {
                    texts.remove(r.id());
                    JsonArray rows = new JsonArray();
                    result.rows().forEach(row -> rows.add(new JsonArray(new ArrayList<>(row))));
                    JsonObject envelope = new JsonObject().put("kind", RESULT_KIND).put("untrusted_data", true)
                            .put("status", "done").put("request_id", r.id()).put("rows_affected", result.affected())
                            .put("columns", new JsonArray(new ArrayList<>(result.columns()))).put("rows", rows)
                            .put("truncated", result.truncated()).put("row_count", result.rowCount());
                    return McpTools.data(envelope);
                })
                .otherwise(t -> McpTools.error(t instanceof PgException pg ? "refused by Veil or the database: "
                        + pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")" : "the change could not run: "
                        + t.getMessage()));
    }

    private void remember(ApprovalRequest r, McpCaller caller, String sql) {
        if (texts.size() >= REMEMBERED) {
            texts.values().removeIf(p -> !clock.instant().isBefore(p.expires()));
        }
        if (texts.size() < REMEMBERED) {
            texts.put(r.id(), new Proposed(caller.identity().name(), sql, r.expires()));
        }
    }

    private static JsonObject proposal(ApprovalRequest r, String link) {
        boolean approved = r.status() == Status.APPROVED;
        JsonObject p = new JsonObject().put("kind", PROPOSAL_KIND).put("status", approved ? "approved" : "pending_approval")
                .put("request_id", r.id()).put("approve_url", link).put("expires_at", r.expires().toString())
                .put("owner", r.owner()).put("rule", r.rule()).put("reason", r.reason())
                .put("next", approved ? "call get_change_result with this request_id to run it"
                        : "a person decides at approve_url; call get_change_result with this request_id (wait_seconds up to "
                        + LONGEST_WAIT_SECONDS + ") to learn the decision and run the change once approved");
        return structured(p);
    }

    private static JsonObject structured(JsonObject content) {
        return new JsonObject().put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", content.encode())))
                .put("structuredContent", content).put("isError", false);
    }

    private static Map<String, String> detail(McpCaller caller, String database) {
        Identity id = caller.identity();
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("database", database == null ? "(default)" : database);
        detail.put("kind", id.kind().label());
        if (id.machine() != null && id.machine().clientId() != null) {
            detail.put("clientId", id.machine().clientId());
        }
        if (id.machine() != null && id.machine().owner() != null) {
            detail.put("owner", id.machine().owner());
        }
        return detail;
    }

    /** The proposal is an admin.action (mcp.propose_change) in the audit trail before the agent hears of it. */
    private Future<Void> record(McpCaller caller, String tool, Map<String, String> detail, boolean ok) {
        Context here = Vertx.currentContext();
        CompletionStage<Void> stored = audit.record(new AuditEvent.AdminAction(clock.instant(), caller.identity().name(),
                "mcp." + tool, McpEndpoint.PATH, detail, ok));
        return here == null ? Future.fromCompletionStage(stored) : Future.fromCompletionStage(stored, here);
    }
}
