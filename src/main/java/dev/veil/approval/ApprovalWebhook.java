package dev.veil.approval;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * veil.approvals.webhook-url: a JSON POST for each new request (id, who, the owner of an agent that asked, what,
 * rule, the console link and signed approve / deny links), for a chat bridge or a ticketing system. A failure is
 * logged and changes nothing (the request is in the table).
 */
public final class ApprovalWebhook implements Consumer<ApprovalRequest> {
    private final JsonPost post;
    private Approvals approvals;

    public ApprovalWebhook(Vertx vertx, URI url) {
        this.post = new JsonPost(vertx, url, "the webhook");
    }

    /** The approvals whose links the posts carry. */
    public void of(Approvals approvals) {
        this.approvals = approvals;
    }

    @Override
    public void accept(ApprovalRequest r) {
        JsonObject body = new JsonObject().put("event", "approval.requested").put("id", r.id()).put("identity", r.identity())
                .put("owner", r.owner())
                .put("environment", r.environment()).put("upstream", r.upstream()).put("database", r.database())
                .put("statement", r.statement()).put("rule", r.rule()).put("reason", r.reason())
                .put("approverRoles", r.approverRoles()).put("approversNeeded", r.approversNeeded())
                .put("expires", r.expires().toString()).put("link", approvals == null ? null : approvals.link(r.id()));
        if (approvals != null && approvals.links() != null) {
            var now = approvals.clock().instant();
            body.put("approveLink", approvals.links().url(r, ApprovalLinks.Action.APPROVE, now))
                    .put("denyLink", approvals.links().url(r, ApprovalLinks.Action.DENY, now));
        }
        post.send(r.id(), body);
    }

    /**
     * A break-glass grant (docs/access.md): someone took a role at once, without approvers. Posted to the same URL as
     * the requests, with a {@code text} a chat channel shows as is, so that people notice.
     */
    public void breakGlass(String id, String identity, String role, String environment, Instant expires, String reason) {
        JsonObject body = new JsonObject().put("event", "access.break-glass").put("id", id).put("identity", identity)
                .put("role", role).put("environment", environment).put("expires", expires.toString()).put("reason", reason)
                .put("text", ":rotating_light: BREAK-GLASS: " + identity + " took role " + role + " in " + environment
                        + " without approval until " + expires + ". Reason: " + reason);
        post.send("break-glass " + id, body);
    }
}
