package dev.veil.console;

import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.access.Access;
import dev.veil.approval.access.AccessActions;
import dev.veil.approval.access.AccessGrant;
import dev.veil.approval.access.AccessGrant.Status;
import dev.veil.policy.AccessSection;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Just-in-time access (docs/access.md): pending requests with approve and deny, the grants in force with revoke, and
 * the recent ones. Decisions go through {@link AccessActions}, as {@code /api/v1/access} does: recorded as
 * {@code admin.action}s before they take effect; self-approval, approvers without one of the request's approver
 * roles and second votes are refused by the store; revoking is for administrators, approvers and the holder.
 */
@Path("/console/access")
public class AccessPage {
    private static final long WAIT_SECONDS = 30;

    @TemplateData
    public record Row(String id, String status, String identity, String role, String reason, String duration,
                      boolean breakGlass, String created, String until, String approvers, String votes) {
    }

    private final ConsoleGate gate;
    private final AccessActions actions;

    @Inject
    @Location("console/access")
    Template page;

    public AccessPage(ConsoleGate gate, AccessActions actions) {
        this.gate = gate;
        this.actions = actions;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response list(@CookieParam(ConsoleSessions.COOKIE) String token) throws Exception {
        ConsoleUser u = gate.viewer(token);
        Access access = actions.access();
        if (access.unavailableReason() != null) {
            return render(u, List.of(), List.of(), List.of(), access.unavailableReason());
        }
        Instant now = access.clock().instant();
        List<AccessGrant> all = await(access.store().list(null, 200, now));
        List<Row> pending = all.stream().filter(g -> g.statusAt(now) == Status.PENDING).map(g -> row(g, now)).toList();
        List<Row> active = all.stream().filter(g -> g.statusAt(now) == Status.GRANTED).map(g -> row(g, now)).toList();
        List<Row> recent = all.stream().filter(g -> g.statusAt(now) != Status.PENDING && g.statusAt(now) != Status.GRANTED)
                .limit(50).map(g -> row(g, now)).toList();
        return render(u, pending, active, recent, null);
    }

    @POST
    @Path("{id}/decide")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf,
                           @PathParam("id") String id, @FormParam("decision") String decision,
                           @FormParam("reason") String reason) throws Exception {
        // Approvers are named by the access section's roles, checked by the store; not the console's admin gate.
        ConsoleUser u = gate.actor(token, csrf, false);
        boolean approve = "approve".equals(decision);
        if (!approve && !"deny".equals(decision) && !"revoke".equals(decision)) {
            return gate.refusal(u, "Decide with the Approve, Deny or Revoke button.");
        }
        AccessActions.Outcome o;
        try {
            o = "revoke".equals(decision)
                    ? actions.revoke(u.name(), new HashSet<>(u.roles()), u.admin(), id, reason, "/console/access/" + id)
                    : actions.vote(u.name(), new HashSet<>(u.roles()), id, approve, reason, "/console/access/" + id);
        } catch (AccessActions.AuditUnavailable e) {
            return Response.status(503).type("text/plain; charset=utf-8").entity(e.getMessage()).build();
        }
        if (o.grant() == null) {
            return gate.refusal(u, o.problem());
        }
        return Response.seeOther(URI.create("/console/access")).build();
    }

    private Response render(ConsoleUser u, List<Row> pending, List<Row> active, List<Row> recent, String unavailable) {
        String html = ConsoleGate.page(page, u, "/console/access", "Access").data("pending", pending).data("active", active)
                .data("recent", recent).data("unavailable", unavailable)
                .data("requestable", actions.section().isEmpty() ? null : String.join(", ", actions.section().requestable()))
                .render();
        return Response.ok(html, "text/html; charset=utf-8").build();
    }

    private static Row row(AccessGrant g, Instant now) {
        StringBuilder votes = new StringBuilder();
        for (ApprovalRequest.Vote v : g.votes()) {
            votes.append(votes.length() == 0 ? "" : "; ").append(v.approver()).append(v.approve() ? " approved" : " denied")
                    .append(v.reason() == null ? "" : " (" + v.reason() + ")");
        }
        if (g.revokedBy() != null) {
            votes.append(votes.length() == 0 ? "" : "; ").append("revoked by ").append(g.revokedBy())
                    .append(g.revokeReason() == null ? "" : " (" + g.revokeReason() + ")");
        }
        Instant until = g.expires() != null ? g.expires() : g.decideBy();
        return new Row(g.id(), g.statusAt(now).wire(), g.identity(), g.role(), g.reason(), AccessSection.human(g.duration()),
                g.breakGlass(), g.created().truncatedTo(ChronoUnit.SECONDS).toString(),
                until.truncatedTo(ChronoUnit.SECONDS).toString(),
                g.approversNeeded() + " of role " + String.join(" or ", g.approverRoles()), votes.toString());
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
