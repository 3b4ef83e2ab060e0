package dev.veil.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.audit.AuditQuery;
import dev.veil.audit.AuditSearch;
import dev.veil.audit.AuditSource;
import dev.veil.audit.AuditTable;
import dev.veil.audit.DirectoryAuditSource;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
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
 *
 * <p>Newest first by default ({@code order=asc}: oldest first), {@code limit} at a time; {@code beforeSeq}
 * (newest first) or {@code afterSeq} (oldest first) set to the last seq of a page gives the next one.
 *
 * <p>Records come from the file sink when it is enabled, else from this instance's stream of the audit table;
 * {@code source=file|postgres} picks one of the enabled sinks, and {@code stream=} another instance's stream
 * of the shared table. The table is read with blocking JDBC: this method runs on a worker thread.
 */
@Path("/api/v1/audit")
public class AuditResource {
    static final String ADMIN_ROLE = "admin";
    private static final String FILE = "file";
    private static final String POSTGRES = "postgres";

    private final AuditLog audit;
    private final AdminCredentials credentials;
    private final Clock clock;
    private final VeilConfig.Audit config;

    public AuditResource(AuditLog audit, AdminCredentials credentials, Clock clock, VeilConfig config) {
        this.audit = audit;
        this.credentials = credentials;
        this.clock = clock;
        this.config = config.audit();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response search(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
                           @QueryParam("identity") String identity, @QueryParam("from") String from,
                           @QueryParam("to") String to, @QueryParam("relation") String relation,
                           @QueryParam("tag") String tag, @QueryParam("decision") String decision,
                           @QueryParam("rule") String rule, @QueryParam("type") String type,
                           @QueryParam("limit") Integer limit, @QueryParam("order") String order,
                           @QueryParam("afterSeq") String afterSeq, @QueryParam("beforeSeq") String beforeSeq,
                           @QueryParam("source") String source, @QueryParam("stream") String stream,
                           @QueryParam("kind") String kind) throws Exception {
        Optional<Identity> who = credentials.authenticate(authorization, http);
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
                    Math.min(limit == null ? 100 : Math.max(limit, 1), 10_000), order(order), seq("afterSeq", afterSeq),
                    seq("beforeSeq", beforeSeq), kind);
        } catch (RuntimeException e) {
            return Response.status(400).entity(Map.of("error", "bad parameter: " + e.getMessage())).build();
        }
        String chosen = source == null || source.isBlank() ? defaultSource() : source.strip().toLowerCase();
        String problem = sourceProblem(chosen, stream);
        if (problem != null) {
            return Response.status(400).entity(Map.of("error", problem)).build();
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
        put(detail, "order", order);
        put(detail, "afterSeq", afterSeq);
        put(detail, "beforeSeq", beforeSeq);
        put(detail, "source", source);
        put(detail, "stream", stream);
        try {
            audit.record(new AuditEvent.AdminAction(clock.instant(), who.get().name(), "audit.search", "/api/v1/audit", detail, true))
                    .get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Response.status(503).entity(Map.of("error", "the audit log cannot record this request: " + e.getMessage())).build();
        }
        List<JsonNode> found;
        try (AuditSource records = open(chosen, stream)) {
            found = new AuditSearch(records).find(q).stream().map(AuditSearch.Match::json).toList();
        } catch (IOException e) {
            return Response.status(503).entity(Map.of("error", "the audit records cannot be read: " + e.getMessage())).build();
        }
        return Response.ok(found).build();
    }

    private String defaultSource() {
        return !config.file().enabled() && config.postgres().enabled() ? POSTGRES : FILE;
    }

    private String sourceProblem(String source, String stream) {
        if (!FILE.equals(source) && !POSTGRES.equals(source)) {
            return "bad parameter: source is file or postgres, not " + source;
        }
        if (FILE.equals(source) && !config.file().enabled()) {
            return "the file audit sink is not enabled (veil.audit.file.enabled=false): use source=postgres";
        }
        if (POSTGRES.equals(source) && !config.postgres().enabled()) {
            return "the PostgreSQL audit sink is not enabled (veil.audit.postgres.enabled=false)";
        }
        if (stream != null && !POSTGRES.equals(source)) {
            return "bad parameter: stream applies to source=postgres only";
        }
        return null;
    }

    private AuditSource open(String source, String stream) throws IOException {
        if (FILE.equals(source)) {
            return new DirectoryAuditSource(audit.directory());
        }
        return AuditTable.of(config.postgres()).stream(stream == null || stream.isBlank() ? AuditTable.ownStream(config.postgres()) : stream);
    }


    private static Instant instant(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        return s.length() == 10 ? LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(s);
    }

    /** Newest first unless asked otherwise: an auditor looks at what happened last. */
    private static AuditQuery.Order order(String s) {
        if (s == null || s.isBlank() || s.strip().equalsIgnoreCase("desc")) {
            return AuditQuery.Order.NEWEST_FIRST;
        }
        if (s.strip().equalsIgnoreCase("asc")) {
            return AuditQuery.Order.OLDEST_FIRST;
        }
        throw new IllegalArgumentException("order is desc (newest first, the default) or asc (oldest first), not " + s);
    }

    private static Long seq(String name, String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is a record's seq (a whole number), not " + s);
        }
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
