package dev.veil.approval;

import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * veil.approvals.webhook-url: a JSON POST for each new request (id, who, what, rule, link), for a chat bridge or a
 * ticketing system. Sent in the background; a failure is logged and changes nothing (the request is in the table).
 */
public final class ApprovalWebhook implements Consumer<ApprovalRequest> {
    private static final Logger LOG = Logger.getLogger(ApprovalWebhook.class);

    private final URI url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Approvals approvals;

    public ApprovalWebhook(URI url) {
        this.url = url;
    }

    /** The approvals whose links the posts carry. */
    public void of(Approvals approvals) {
        this.approvals = approvals;
    }

    @Override
    public void accept(ApprovalRequest r) {
        JsonObject body = new JsonObject().put("event", "approval.requested").put("id", r.id()).put("identity", r.identity())
                .put("environment", r.environment()).put("upstream", r.upstream()).put("database", r.database())
                .put("statement", r.statement()).put("rule", r.rule()).put("reason", r.reason())
                .put("approverRoles", r.approverRoles()).put("approversNeeded", r.approversNeeded())
                .put("expires", r.expires().toString()).put("link", approvals == null ? null : approvals.link(r.id()));
        HttpRequest post = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        http.sendAsync(post, HttpResponse.BodyHandlers.discarding()).whenComplete((response, e) -> {
            if (e != null) {
                LOG.warnf("approval %s: the webhook %s could not be reached: %s", r.id(), url, e.toString());
            } else if (response.statusCode() / 100 != 2) {
                LOG.warnf("approval %s: the webhook %s answered %d", r.id(), url, response.statusCode());
            }
        });
    }
}
