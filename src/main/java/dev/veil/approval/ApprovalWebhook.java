package dev.veil.approval;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.function.Consumer;

/**
 * veil.approvals.webhook-url: a JSON POST for each new request (id, who, the owner of an agent that asked, what,
 * rule, link), for a chat bridge or a
 * ticketing system. Sent in the background on Vert.x's HTTP client (the gateway keeps off java.net.http, which the
 * native executable lacks); a failure is logged and changes nothing (the request is in the table).
 */
public final class ApprovalWebhook implements Consumer<ApprovalRequest> {
    private static final Logger LOG = Logger.getLogger(ApprovalWebhook.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    private final URI url;
    private final HttpClient http;
    private Approvals approvals;

    public ApprovalWebhook(Vertx vertx, URI url) {
        this.url = url;
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setSsl("https".equalsIgnoreCase(url.getScheme())));
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
        RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url.toString())
                .setTimeout(REQUEST_TIMEOUT_MS).putHeader("Content-Type", "application/json");
        http.request(post).compose(req -> req.send(body.toBuffer())).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("approval %s: the webhook %s could not be reached: %s", r.id(), url, ar.cause().toString());
            } else if (ar.result().statusCode() / 100 != 2) {
                LOG.warnf("approval %s: the webhook %s answered %d", r.id(), url, ar.result().statusCode());
            }
        });
    }
}
