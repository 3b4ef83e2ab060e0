package dev.veil.console;

import dev.veil.approval.ApprovalLinks;
import dev.veil.approval.ApprovalLinks.Checked;
import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.ApprovalRequest.Mode;
import dev.veil.approval.Approvals;
import dev.veil.approval.LinkVotes;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where an approve / deny link from a chat message lands ({@link ApprovalLinks}). A GET changes nothing (chat
 * unfurlers and link scanners fetch URLs on their own): it shows the request and a confirmation form to the
 * signed-in approver; the form's POST (with the sign-in's CSRF token) decides, through the same store checks as the
 * inbox (self-approval, approver roles, one vote each), and uses the link up in the same transaction. A link that
 * was changed, has expired or was used already gets a page saying which.
 */
@Path(ApprovalLinks.PATH + "{id}")
public class ApprovalLinkPage {
    private final ConsoleGate gate;
    private final ConsoleSessions sessions;
    private final ConsoleActions actions;
    private final Approvals approvals;

    @Inject
    @Location("console/approval-link")
    Template page;

    public ApprovalLinkPage(ConsoleGate gate, ConsoleSessions sessions, ConsoleActions actions, Approvals approvals) {
        this.gate = gate;
        this.sessions = sessions;
        this.actions = actions;
        this.approvals = approvals;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response open(@CookieParam(ConsoleSessions.COOKIE) String token, @PathParam("id") String id,
                         @QueryParam("action") String action, @QueryParam("expires") String expires,
                         @QueryParam("nonce") String nonce, @QueryParam("sig") String sig, @QueryParam("hop") String hop)
            throws Exception {
        String self = ApprovalLinks.PATH + enc(id) + "?action=" + enc(action) + "&expires=" + enc(expires) + "&nonce="
                + enc(nonce) + "&sig=" + enc(sig);
        Optional<ConsoleUser> signedIn = sessions.find(token);
        if (signedIn.isEmpty()) {
            if (hop == null) {
                // The sign-in cookie is SameSite=Strict, so a click in a chat client (another site) arrives without
                // it. One refresh from this page is a navigation from Veil's own origin, which carries it.
                String again = self + "&hop=1";
                return Response.ok(base(null, "Opening approval request").data("again", again).render(), "text/html; charset=utf-8")
                        .header("Refresh", "0; url=" + again).build();
            }
            return Response.seeOther(URI.create(ConsoleGate.SIGN_IN + "?next=" + enc(self))).build();
        }
        ConsoleUser u = signedIn.get();
        if (approvals.unavailableReason() != null) {
            return gate.refusal(u, approvals.unavailableReason());
        }
        Instant now = approvals.clock().instant();
        Checked checked = approvals.links().check(id, action, expires, nonce, sig, now);
        if (!checked.ok()) {
            return problem(u, checked.problem(), checked.message(), id);
        }
        LinkVotes.Used used = ApprovalsPage.await(approvals.linkVotes().usedBy(nonce));
        if (used != null) {
            return problem(u, ApprovalLinks.Problem.USED, usedMessage(used), id);
        }
        ApprovalRequest r = ApprovalsPage.await(approvals.store().get(id));
        if (r == null) {
            return gate.refusal(u, "There is no approval request " + id + ".");
        }
        boolean approve = checked.link().action() == ApprovalLinks.Action.APPROVE;
        TemplateInstance t = base(u, (approve ? "Approve" : "Deny") + " request " + id)
                .data("one", ApprovalsPage.row(r, now)).data("approve", approve)
                .data("action", action).data("expires", expires).data("nonce", nonce).data("sig", sig)
                .data("linkExpires", checked.link().expires().toString())
                .data("longest", approvals.longestWindow().toMinutes());
        return Response.ok(t.render(), "text/html; charset=utf-8").build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response decide(@CookieParam(ConsoleSessions.COOKIE) String token, @FormParam("csrf") String csrf,
                           @PathParam("id") String id, @FormParam("action") String action,
                           @FormParam("expires") String expires, @FormParam("nonce") String nonce,
                           @FormParam("sig") String sig, @FormParam("mode") String mode,
                           @FormParam("minutes") Integer minutes, @FormParam("reason") String reason) throws Exception {
        // Approvers are named by the rule's roles, checked by the store; the console's own admin gate does not apply.
        ConsoleUser u = gate.actor(token, csrf, false);
        if (approvals.unavailableReason() != null) {
            return gate.refusal(u, approvals.unavailableReason());
        }
        Checked checked = approvals.links().check(id, action, expires, nonce, sig, approvals.clock().instant());
        if (!checked.ok()) {
            return problem(u, checked.problem(), checked.message(), id);
        }
        boolean approve = checked.link().action() == ApprovalLinks.Action.APPROVE;
        Mode m = approve ? Mode.parse(mode == null ? "once" : mode) : Mode.ONCE;
        Duration window = m == null ? null : approvals.window(m, minutes);
        if (m == null || m == Mode.WINDOW && window == null) {
            return gate.refusal(u, "Approve once, or for a window of 1 to " + approvals.longestWindow().toMinutes() + " minutes.");
        }
        String target = ApprovalLinks.PATH + id;
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("id", id);
        detail.put("mode", approve ? m.wire() : null);
        detail.put("minutes", window == null ? null : Long.toString(window.toMinutes()));
        detail.put("reason", reason);
        detail.put("via", "link");
        detail.put("nonce", nonce);
        actions.record(u.name(), approve ? "approval.approve" : "approval.deny", target, detail, true);
        LinkVotes.Used used = ApprovalsPage.await(approvals.linkVotes().vote(checked.link(), u.name(),
                new HashSet<>(u.roles()), m, window, reason == null || reason.isBlank() ? null : reason,
                approvals.clock().instant()));
        if (used.usedBy() != null) {
            ApprovalsPage.refused(actions, u, approve, target, detail, "the link was used already");
            return problem(u, ApprovalLinks.Problem.USED, usedMessage(used), id);
        }
        if (used.voted().request() == null) {
            ApprovalsPage.refused(actions, u, approve, target, detail, used.voted().problem());
            return gate.refusal(u, used.voted().problem());
        }
        return Response.seeOther(URI.create("/console/approvals/" + id)).build();
    }

    private Response problem(ConsoleUser u, ApprovalLinks.Problem problem, String message, String id) {
        int status = problem == ApprovalLinks.Problem.TAMPERED ? 400 : 410;
        String title = switch (problem) {
            case TAMPERED -> "This link is not valid";
            case EXPIRED -> "This link has expired";
            case USED -> "This link was used already";
        };
        String html = base(u, title).data("problem", problem.name().toLowerCase()).data("message", message)
                .data("requestId", id).render();
        return Response.status(status).type("text/html; charset=utf-8").entity(html).build();
    }

    private static String usedMessage(LinkVotes.Used used) {
        return "This link was used by " + used.usedBy() + " at " + used.usedAt().truncatedTo(ChronoUnit.SECONDS)
                + " (UTC); a link decides once. Nothing was decided now. The request, and its form for any further "
                + "approvers, is in the console's inbox.";
    }

    private TemplateInstance base(ConsoleUser u, String title) {
        return ConsoleGate.page(page, u, "/console/approvals", title).data("one", null).data("problem", null)
                .data("message", null).data("again", null).data("requestId", null);
    }

    private static String enc(String s) {
        return s == null ? "" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
