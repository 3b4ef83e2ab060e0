package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.audit.AuditQuery;
import dev.veil.audit.AuditSearch;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/audit}: the audit search over HTTP, for accounts with the {@code admin} role (HTTP
 * Basic or an OIDC bearer token, see {@link AdminCredentials}). Every call is itself recorded (admin.action "audit.search") before
 * the answer is given; if it cannot be recorded, the answer is 503.
 */
@Path("/api/v1/audit")
public class AuditResource {
    static final String ADMIN_ROLE = "admin";

    private final AuditLog audit;
    private final AdminCredentials credentials;
    private final Clock clock;

    public AuditResource(AuditLog audit, AdminCredentials credentials, Clock clock) {
        this.audit = audit;
        this.credentials = credentials;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response search(@HeaderParam("Authorization") String authorization,
                           @QueryParam("identity") String identity, @QueryParam("from") String from,
                           @QueryParam("to") String to, @QueryParam("relation") String relation,
                           @QueryParam("tag") String tag, @QueryParam("decision") String decision,
                           @QueryParam("rule") String rule, @QueryParam("type") String type,
                           @QueryParam("limit") Integer limit) throws Exception {
        Optional<dev.veil.identity.Identity> who = credentials.authenticate(authorization);
        if (who.isEmpty()) {
            return Response.status(401).header("WWW-Authenticate", "Basic realm=\"veil\", charset=\"UTF-8\"")
                    .entity(Map.of("error", "authentication required")).build();
        }
        if (!who.get().roles().contains(ADMIN_ROLE)) {
            return Response.status(403).entity(Map.of("error", "the audit API is for accounts with the admin role")).build();
        }
        AuditQuery q;
        try {
            q = new AuditQuery(identity, instant(from), instant(to), relation, tag, decision, rule, type,
                    Math.min(limit == null ? 100 : Math.max(limit, 1), 10_000));
        } catch (RuntimeException e) {
            return Response.status(400).entity(Map.of("error", "bad parameter: " + e.getMessage())).build();
        }
        Map<String, String> detail = new LinkedHashMap<>();
        put(detail, "identity", identity);
        put(detail, "from", from);
        put(detail, "to", to);
        put(detail, "relation", relation);
        put(detail, "tag", tag);
        put(detail, "decision", decision);
        put(detail, "rule", rule);
        put(detail, "type", type);
        try {
            audit.record(new AuditEvent.AdminAction(clock.instant(), who.get().name(), "audit.search", "/api/v1/audit", detail, true))
                    .get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Response.status(503).entity(Map.of("error", "the audit log cannot record this request: " + e.getMessage())).build();
        }
        List<JsonNode> found = new AuditSearch(audit.directory()).find(q).stream().map(AuditSearch.Match::json).toList();
        return Response.ok(found).build();
    }


    private static Instant instant(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        return s.length() == 10 ? LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(s);
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
