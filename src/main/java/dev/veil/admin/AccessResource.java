package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.approval.access.Access;
import dev.veil.approval.access.AccessActions;
import dev.veil.approval.access.AccessGrant;
import dev.veil.approval.access.AccessGrant.Status;
import dev.veil.identity.Identity;
import dev.veil.policy.AccessSection;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code /api/v1/access}: just-in-time access requests, their decisions, and break-glass (docs/access.md). Callers
 * authenticate as on the other /api/v1 resources ({@link AdminCredentials}); that identity is the requester or the
 * approver. What may be requested, by whom, for how long and who approves is the policy's access section; every
 * action is in the audit trail before it takes effect ({@link AccessActions}). Runs on worker threads.
 */
@Path("/api/v1/access")
@Produces(MediaType.APPLICATION_JSON)
public class AccessResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_SECONDS = 30;

    private final AccessActions actions;
    private final AdminCredentials credentials;
    private final StatementPipelines pipelines;

    public AccessResource(AccessActions actions, AdminCredentials credentials, StatementPipelines pipelines) {
        this.actions = actions;
        this.credentials = credentials;
        this.pipelines = pipelines;
    }

    /** {@code {"role": "admin", "for": "2h", "reason": "…"}}: a request for approvers to decide. */
    @POST
    @Path("requests")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response request(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                            String body) throws Exception {
        return ask(authorization, http, body, false);
    }

    /** The same body: the role at once, without approvers, where the access section allows it. Loud. */
    @POST
    @Path("break-glass")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response breakGlass(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                               String body) throws Exception {
        return ask(authorization, http, body, true);
    }

    /**
     * Requests and grants, newest first. Administrators and holders of a role that approves some requestable role
     * see all; anyone else sees their own.
     */
    @GET
    @Path("requests")
    public Response list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                         @QueryParam("status") String status, @QueryParam("limit") Integer limit) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        if (who.isEmpty()) {
            return unauthenticated();
        }
        if (access().unavailableReason() != null) {
            return error(503, access().unavailableReason());
        }
        Status wanted = null;
        if (status != null && !status.isBlank() && !status.equals("all")) {
            wanted = Status.parse(status);
            if (wanted == null) {
                return error(400, "bad parameter: status is pending, granted, denied, revoked, expired or all, not " + status);
            }
        }
        int n = Math.min(limit == null ? 100 : Math.max(limit, 1), 1000);
        boolean all = seesAll(who.get());
        String name = who.get().name();
        return Response.ok(await(access().store().list(wanted, n, access().clock().instant())).stream()
                .filter(g -> all || g.identity().equals(name)).map(g -> AccessJson.of(g, access().clock().instant())).toList())
                .build();
    }

    @GET
    @Path("requests/{id}")
    public Response show(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                         @PathParam("id") String id) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        if (who.isEmpty()) {
            return unauthenticated();
        }
        if (access().unavailableReason() != null) {
            return error(503, access().unavailableReason());
        }
        AccessGrant g = await(access().store().get(id));
        Set<String> roles = roles(who.get());
        if (g == null || !g.identity().equals(who.get().name()) && !roles.contains(AuditResource.ADMIN_ROLE)
                && g.approverRoles().stream().noneMatch(roles::contains)) {
            // Not telling those who may not see it whether it exists.
            return error(404, "no access request " + id + " that you may see");
        }
        return Response.ok(AccessJson.of(g, access().clock().instant())).build();
    }

    @POST
    @Path("requests/{id}/approve")
    public Response approve(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                            @PathParam("id") String id, String body) throws Exception {
        return decide(authorization, http, id, body, "approve");
    }

    @POST
    @Path("requests/{id}/deny")
    public Response deny(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                         @PathParam("id") String id, String body) throws Exception {
        return decide(authorization, http, id, body, "deny");
    }

    @POST
    @Path("requests/{id}/revoke")
    public Response revoke(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                           @PathParam("id") String id, String body) throws Exception {
        return decide(authorization, http, id, body, "revoke");
    }

    private Response ask(String authorization, HttpServerRequest http, String body, boolean breakGlass) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        if (who.isEmpty()) {
            return unauthenticated();
        }
        JsonNode j = body(body);
        if (j == null) {
            return error(400, "the body is a JSON object: {\"role\": \"admin\", \"for\": \"2h\", \"reason\": \"…\"}");
        }
        String forText = j.path("for").asText(null);
        Duration duration = AccessSection.duration(forText);
        if (forText != null && duration == null) {
            return error(400, "for: \"" + forText + "\" is not a duration; write 30m, 2h or 1d");
        }
        String path = breakGlass ? "/api/v1/access/break-glass" : "/api/v1/access/requests";
        return answer(() -> actions.request(who.get().name(), pipelines.policyRolesOf(who.get()), j.path("role").asText(null),
                duration, j.path("reason").asText(null), breakGlass, path), 201);
    }

    private Response decide(String authorization, HttpServerRequest http, String id, String body, String what) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        if (who.isEmpty()) {
            return unauthenticated();
        }
        JsonNode j = body(body);
        if (j == null) {
            return error(400, "the body is a JSON object: {\"reason\": \"…\"}");
        }
        String reason = j.path("reason").asText(null);
        Set<String> roles = roles(who.get());
        String target = "/api/v1/access/requests/" + id;
        return answer(() -> what.equals("revoke")
                ? actions.revoke(who.get().name(), roles, roles.contains(AuditResource.ADMIN_ROLE), id, reason, target)
                : actions.vote(who.get().name(), roles, id, what.equals("approve"), reason, target), 200);
    }

    private interface Action {
        AccessActions.Outcome run() throws Exception;
    }

    private Response answer(Action action, int ok) throws Exception {
        AccessActions.Outcome o;
        try {
            o = action.run();
        } catch (AccessActions.AuditUnavailable e) {
            return error(503, e.getMessage());
        }
        if (o.grant() == null) {
            return error(o.refusal(), o.problem());
        }
        return Response.status(ok).entity(AccessJson.of(o.grant(), access().clock().instant())).build();
    }

    private boolean seesAll(Identity who) {
        Set<String> roles = roles(who);
        if (roles.contains(AuditResource.ADMIN_ROLE)) {
            return true;
        }
        AccessSection section = actions.section();
        return section.requestable().stream().map(section::role).flatMap(Optional::stream)
                .anyMatch(r -> r.approverRoles().stream().anyMatch(roles::contains));
    }

    /** The roles the identity holds now: Veil's configured ones and the policy's bindings (grants not included). */
    private Set<String> roles(Identity who) {
        Set<String> roles = new HashSet<>(who.roles());
        roles.addAll(pipelines.rolesOf(who));
        return roles;
    }

    private Access access() {
        return actions.access();
    }

    private static JsonNode body(String body) {
        try {
            JsonNode j = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            return j.isObject() ? j : null;
        } catch (Exception e) {
            return null;
        }
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
