package dev.veil.console;

import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.ApprovalRequest.Mode;
import dev.veil.approval.ApprovalRequest.Status;
import dev.veil.approval.ApprovalStore;
import dev.veil.approval.Approvals;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The approvals inbox: statements held for approval (approval/Approvals, docs/approvals.md), newest first, and one
 * request with its approve and deny forms. The link in a waiting client's notice points here. Deciding goes
 * through the same store as {@code /api/v1/approvals}: self-approval, approvers without a role the rule names and
 * second votes are refused there. Each decision is an {@code admin.action} recorded before it is taken.
 */
@Path("/console/approvals")
public class ApprovalsPage {
    private static final long WAIT_SECONDS = 30;

    @TemplateData
    public record Row(String id, String status, String identity, String database, String statement, String rule,
                      String reason, String created, String expires, String approvers, String votes, String environment) {
    }

    private final ConsoleGate gate;
    private final ConsoleActions actions;
    private final Approvals approvals;
    private final ApprovalContext context;

    @Inject
    @Location("console/approvals")
    Template page;

    public ApprovalsPage(ConsoleGate gate, ConsoleActions actions, Approvals approvals, ApprovalContext context) {
        this.gate = gate;
        this.actions = actions;
        this.approvals = approvals;
        this.context = context;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response inbox(@CookieParam(ConsoleSessions.COOKIE) String token) throws Exception {
        ConsoleUser u = gate.viewer(token);
        if (approvals.unavailableReason() != null) {
            return render(u, List.of(), List.of(), null, approvals.unavailableReason(), null);
        }
        Instant now = approvals.clock().instant();
        List<Row> pending = await(approvals.store().list(Status.PENDING, 200, now)).stream().map(r -> row(r, now)).toList();
        List<Row> recent = await(approvals.store().list(null, 50, now)).stream()
                .filter(r -> r.statusAt(now) != Status.PENDING).map(r -> row(r, now)).toList();
        return render(u, pending, recent, null, null, null);
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public Response request(@CookieParam(ConsoleSessions.COOKIE) String token, @PathParam("id") String id) throws Exception {
        ConsoleUser u = gate.viewer(token);
        if (approvals.unavailableReason() != null) {
            return render(u, List.of(), List.of(), null, approvals.unavailableReason(), null);
        }
        ApprovalRequest r = await(approvals.store().get(id));
        if (r == null) {
            return gate.refusal(u, "There is no approval request " + id + ".");
        }
        // The requester's activity is read from the audit trail: that read is recorded as the audit page's searches are.
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("identity", r.identity());
        detail.put("approval", id);
        actions.record(u.name(), "audit.search", "/console/approvals/" + id, detail, true);
        return render(u, List.of(), List.of(), row(r, approvals.clock().instant()), null, context.of(r));
    }

    @POST
    @Path("{id}/decide")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf,
                           @PathParam("id") String id, @FormParam("decision") String decision, @FormParam("mode") String mode,
                           @FormParam("minutes") Integer minutes, @FormParam("reason") String reason) throws Exception {
        // Approvers are named by the rule's roles, checked by the store; the console's own admin gate does not apply.
        ConsoleUser u = gate.actor(token, csrf, false);
        boolean approve = "approve".equals(decision);
        if (!approve && !"deny".equals(decision)) {
            return gate.refusal(u, "Decide with the Approve or Deny button.");
        }
        if (approvals.unavailableReason() != null) {
            return gate.refusal(u, approvals.unavailableReason());
        }
        Mode m = approve ? Mode.parse(mode == null ? "once" : mode) : Mode.ONCE;
        Duration window = m == null ? null : approvals.window(m, minutes);
        if (m == null || m == Mode.WINDOW && window == null) {
            return gate.refusal(u, "Approve once, or for a window of 1 to " + approvals.longestWindow().toMinutes() + " minutes.");
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("id", id);
        detail.put("mode", approve ? m.wire() : null);
        detail.put("minutes", window == null ? null : Long.toString(window.toMinutes()));
        detail.put("reason", reason);
        actions.record(u.name(), approve ? "approval.approve" : "approval.deny", "/console/approvals/" + id, detail, true);
        ApprovalStore.Voted voted = await(approvals.store().vote(id, u.name(), new HashSet<>(u.roles()), approve, m, window,
                reason == null || reason.isBlank() ? null : reason, approvals.clock().instant()));
        if (voted.request() == null) {
            refused(actions, u, approve, "/console/approvals/" + id, detail, voted.problem());
            return gate.refusal(u, voted.problem());
        }
        return Response.seeOther(URI.create("/console/approvals/" + id)).build();
    }

    /**
     * A vote the store refused changed nothing; a second record (ok=false) says so beside the one written before it.
     * Should that record fail, the refusal is still shown: nothing was taken that lacks its record.
     */
    static void refused(ConsoleActions actions, ConsoleUser u, boolean approve, String target, Map<String, String> detail,
                        String problem) {
        Map<String, String> d = new LinkedHashMap<>(detail);
        d.put("refused", problem);
        try {
            actions.record(u.name(), approve ? "approval.approve" : "approval.deny", target, d, false);
        } catch (WebApplicationException e) {
            // the refusal page follows either way
        }
    }

    private Response render(ConsoleUser u, List<Row> pending, List<Row> recent, Row one, String unavailable,
                            ApprovalContext.Found found) {
        String html = ConsoleGate.page(page, u, "/console/approvals", one == null ? "Approvals" : "Approval " + one.id())
                .data("pending", pending).data("recent", recent).data("one", one).data("unavailable", unavailable).data("found", found)
                .data("longest", approvals.unavailableReason() == null ? approvals.longestWindow().toMinutes() : 0).render();
        return Response.ok(html, "text/html; charset=utf-8").build();
    }

    static Row row(ApprovalRequest r, Instant now) {
        StringBuilder votes = new StringBuilder();
        for (ApprovalRequest.Vote v : r.votes()) {
            votes.append(votes.length() == 0 ? "" : "; ").append(v.approver()).append(v.approve() ? " approved" : " denied")
                    .append(v.reason() == null ? "" : " (" + v.reason() + ")");
        }
        return new Row(r.id(), r.statusAt(now).wire(), r.identity(), r.upstream() + "/" + r.database(), r.statement(), r.rule(),
                r.reason(), r.created().truncatedTo(ChronoUnit.SECONDS).toString(),
                r.expires().truncatedTo(ChronoUnit.SECONDS).toString(),
                r.approversNeeded() + " of role " + String.join(" or ", r.approverRoles()), votes.toString(), r.environment());
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
