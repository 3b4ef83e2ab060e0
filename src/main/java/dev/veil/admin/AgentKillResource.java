package dev.veil.admin;

import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.identity.Identity;
import dev.veil.session.Session;
import dev.veil.session.SessionRegistry;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /api/v1/agents/{client}/kill}: the kill switch. Ends every open session of the machine client at
 * once, wire and MCP alike (its clients get 57P01 / MySQL 4031 naming who stopped it), recorded as an
 * {@code admin.action} ({@code agents.kill}) before anything is ended. It does not block new sessions: revoke the
 * client at the identity provider for that. Admin role.
 */
@Path("/api/v1/agents/{client}/kill")
public class AgentKillResource {
    private final AdminCredentials credentials;
    private final SessionRegistry sessions;
    private final AuditLog audit;
    private final Clock clock;

    public AgentKillResource(AdminCredentials credentials, SessionRegistry sessions, AuditLog audit, Clock clock) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.audit = audit;
        this.clock = clock;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response kill(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
                         @PathParam("client") String client) {
        Optional<Identity> who = credentials.authenticate(authorization, http);
        if (who.isEmpty()) {
            return Response.status(401).header("WWW-Authenticate", "Basic realm=\"veil\", charset=\"UTF-8\"")
                    .entity(Map.of("error", "authentication required")).build();
        }
        if (!who.get().roles().contains(AuditResource.ADMIN_ROLE)) {
            return Response.status(403).entity(Map.of("error", "the kill switch is for accounts with the admin role")).build();
        }
        try {
            audit.record(new AuditEvent.AdminAction(clock.instant(), who.get().name(), "agents.kill",
                    "/api/v1/agents/" + client + "/kill", Map.of("client", client), true))
                    .get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Response.status(503).entity(Map.of("error", "the audit log cannot record this request: " + e.getMessage())).build();
        }
        int ended = 0;
        for (Session s : sessions.sessions()) {
            Identity.Machine m = s.identity().machine();
            if (m != null && client.equals(m.clientId())) {
                s.end(VeilException.fatal(ErrorCode.SESSION_EXPIRED, "terminating connection: agent " + client
                        + " was stopped by " + who.get().name() + " (kill switch)"));
                ended++;
            }
        }
        return Response.ok(Map.of("client", client, "sessionsEnded", ended)).build();
    }
}
