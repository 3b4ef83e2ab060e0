package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.ApprovalRequest.Mode;
import dev.veil.approval.ApprovalRequest.Status;
import dev.veil.approval.ApprovalStore;
import dev.veil.approval.Approvals;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.identity.Identity;
import dev.veil.session.StatementPipelines;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code /api/v1/approvals}: the requests of statements held for approval, and their decisions (docs/approvals.md).
 * Callers authenticate as on the other /api/v1 resources ({@link AdminCredentials}); that identity is the
 * approver. Listing is for the admin role, except {@code ?for=me}: anyone's pending requests to decide; a request
 * is shown to admins, to its requester and to its approvers; approve and deny are for holders of a role the rule
 * names (Veil's configured roles or the policy's bindings) and, for an AI agent's request, its owner; never the
 * requester, never an agent. Every approve and deny is an admin.action in the audit trail before the vote is cast
 * (a refused vote adds a second one, ok=false, saying why).
 * Runs on worker threads (it waits for the control-plane database and the audit log).
 */
@Path("/api/v1/approvals")
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_SECONDS = 30;

    private final Approvals approvals;
    private final AdminCredentials credentials;
    private final StatementPipelines pipelines;
    private final AuditLog audit;

    public ApprovalResource(Approvals approvals, AdminCredentials credentials, StatementPipelines pipelines, AuditLog audit) {
        this.approvals = approvals;
        this.credentials = credentials;
        this.pipelines = pipelines;
        this.audit = audit;
    }

    @GET
    public Response list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                         @QueryParam("status") String status, @QueryParam("limit") Integer limit,
                         @QueryParam("for") String forWhom) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        if ("me".equals(forWhom) && who.isPresent() && approvals.unavailableReason() == null) {
            // Anyone's own inbox: the pending requests they may decide (an agent's owner included).
            int n = Math.min(limit == null ? 100 : Math.max(limit, 1), 1000);
            return Response.ok(await(store().decidableBy(who.get().name(), roles(who.get()), n, approvals.clock().instant()))
                    .stream().map(r -> ApprovalJson.of(r, approvals)).toList()).build();
        }
        Response refused = refusal(who);
        if (refused != null) {
            return refused;
        }
        Status wanted = null;
        if (status != null && !status.isBlank() && !status.equals("all")) {
            try {
                wanted = Status.parse(status.strip());
            } catch (IllegalArgumentException e) {
                return error(400, "bad parameter: status is pending, approved, denied, expired, used or all, not " + status);
            }
        }
        int n = Math.min(limit == null ? 100 : Math.max(limit, 1), 1000);
        return Response.ok(await(store().list(wanted, n, approvals.clock().instant())).stream()
                .map(r -> ApprovalJson.of(r, approvals)).toList()).build();
    }

    @GET
    @Path("{id}")
    public Response show(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                         @PathParam("id") String id) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        Response refused = refusal(who);
        if (refused != null && (who.isEmpty() || approvals.unavailableReason() != null)) {
            return refused;
        }
        ApprovalRequest r = await(store().get(id));
        if (r == null) {
            return error(404, "no approval request " + id);
        }
        boolean involved = r.identity().equals(who.get().name()) || r.decidableBy(who.get().name(), roles(who.get()));
        if (refused != null && !involved) {
            return refused;
        }
        return Response.ok(ApprovalJson.of(r, approvals)).build();
    }

    @POST
    @Path("{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response approve(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                            @PathParam("id") String id, String body) throws Exception {
        return vote(authorization, http, id, body, true);
    }

    @POST
    @Path("{id}/deny")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response deny(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                         @PathParam("id") String id, String body) throws Exception {
        return vote(authorization, http, id, body, false);
    }

    private Response vote(String authorization, HttpServerRequest http, String id, String body, boolean approve) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        if (who.isEmpty()) {
            return unauthenticated();
        }
        if (approvals.unavailableReason() != null) {
            return error(503, approvals.unavailableReason());
        }
        if (who.get().agent()) {
            // Not only its own requests: no AI agent decides any, whatever roles it holds.
            return error(403, "\"" + who.get().name() + "\" is an AI agent, and agents never decide approvals; its owner"
                    + " or an approver of the rule must");
        }
        JsonNode j;
        try {
            j = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception e) {
            return error(400, "the body is not JSON: " + e.getMessage());
        }
        if (!j.isObject()) {
            return error(400, "the body is a JSON object: {\"mode\": \"once\"|\"window\", \"minutes\": 30, \"reason\": \"…\"}");
        }
        String reason = j.hasNonNull("reason") ? j.get("reason").asText() : null;
        Mode mode = Mode.ONCE;
        Duration window = null;
        if (approve) {
            mode = j.hasNonNull("mode") ? Mode.parse(j.get("mode").asText()) : Mode.ONCE;
            if (mode == null) {
                return error(400, "mode is once (the approval runs the statement one time) or window (identical re-runs "
                        + "for some minutes), not " + j.get("mode").asText());
            }
            Integer minutes = j.hasNonNull("minutes") ? (j.get("minutes").canConvertToInt() ? j.get("minutes").asInt() : -1) : null;
            window = approvals.window(mode, minutes);
            if (mode == Mode.WINDOW && window == null) {
                return error(400, "minutes: a window from 1 to " + approvals.longestWindow().toMinutes()
                        + " minutes (veil.approvals.longest-window)");
            }
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("id", id);
        if (approve) {
            detail.put("mode", mode.wire());
            if (window != null) {
                detail.put("minutes", Long.toString(window.toMinutes()));
            }
        }
        if (reason != null) {
            detail.put("reason", reason);
        }
        String action = approve ? "approval.approve" : "approval.deny";
        // Recorded before the vote, as every admin action is: a vote the audit log cannot take is not cast.
        try {
            record(who.get(), action, id, detail, true);
        } catch (Exception e) {
            return error(503, "the audit log cannot record this decision, so it was not taken: " + e.getMessage());
        }
        ApprovalStore.Voted voted = await(store().vote(id, who.get().name(), roles(who.get()), approve, mode, window, reason,
                approvals.clock().instant()));
        if (voted.request() == null) {
            // Nothing changed; the trail says so next to the record above (the refusal is answered either way).
            detail.put("refused", voted.problem());
            try {
                record(who.get(), action, id, detail, false);
            } catch (Exception e) {
                return error(voted.refusal(), voted.problem() + " (and the audit log could not record the refusal: "
                        + e.getMessage() + ")");
            }
            return error(voted.refusal(), voted.problem());
        }
        return Response.ok(ApprovalJson.of(voted.request(), approvals)).build();
    }

    private void record(Identity who, String action, String id, Map<String, String> detail, boolean ok) throws Exception {
        audit.record(new AuditEvent.AdminAction(approvals.clock().instant(), who.name(), action, "/api/v1/approvals/" + id,
                new LinkedHashMap<>(detail), ok)).get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** 401 without credentials, 503 without approvals, 403 without the admin role; null when none applies. */
    private Response refusal(Optional<Identity> who) {
        if (who.isEmpty()) {
            return unauthenticated();
        }
        if (approvals.unavailableReason() != null) {
            return error(503, approvals.unavailableReason());
        }
        if (!who.get().roles().contains(AuditResource.ADMIN_ROLE)) {
            return error(403, "the approvals API lists requests for accounts with the admin role; a requester or an "
                    + "approver may read a request by its id");
        }
        return null;
    }

    /** The roles the identity holds now: Veil's configured ones and the policy's bindings. */
    private Set<String> roles(Identity who) {
        Set<String> roles = new HashSet<>(who.roles());
        roles.addAll(pipelines.rolesOf(who));
        return roles;
    }

    private ApprovalStore store() {
        return approvals.store();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static Response unauthenticated() {
        return Response.status(401).header(HttpHeaders.WWW_AUTHENTICATE, AdminCredentials.CHALLENGE)
                .entity(Map.of("error", "authentication required: HTTP basic with a local account, or a Bearer token")).build();
    }

    private static Response error(int status, String message) {
        return Response.status(status).entity(Map.of("error", message)).build();
    }
}
