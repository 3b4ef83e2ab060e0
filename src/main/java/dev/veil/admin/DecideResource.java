package dev.veil.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.admin.AdminUpstreams.Choice;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.audit.LiteralRedactor;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicySet;
import dev.veil.policy.trial.Asker;
import dev.veil.policy.trial.DatabaseUser;
import dev.veil.policy.trial.DecisionJson;
import dev.veil.policy.trial.PolicyTrial;
import dev.veil.session.StatementAnalysis;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.catalog.CatalogRegistry;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /api/v1/decide}: what Veil would decide about a statement for someone, without running it. The body
 * names who asks ({@code identity} and/or {@code role}, see {@link Asker}), the {@code dialect}, the
 * {@code database} ({@code upstream/database} or a database of the dialect's default upstream), the {@code sql}, and
 * optionally the {@code environment} (it must be the one this Veil serves). The statement is analysed as the
 * pipeline analyses it, against the catalog of that database; when Veil cannot read that catalog, without one (as
 * the pipeline then does: not analysed, kind from the token scan), and the answer says so. Then the policy in force
 * decides. Each request is an {@code admin.action} ({@code policy.decide}) in the audit trail, with the text as the
 * audit trail keeps statements (literals redacted). Admin role, as every /api/v1 endpoint.
 */
@Path("/api/v1/decide")
public class DecideResource {
    private static final String ADMIN_ROLE = "admin";
    private static final long WAIT_SECONDS = 30;
    private static final Set<String> KEYS = Set.of("identity", "role", "environment", "dialect", "database", "sql");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminCredentials credentials;
    private final UpstreamRegistry upstreams;
    private final CatalogRegistry catalogs;
    private final StatementAnalysis analysis;
    private final PolicyEngine engine;
    private final AuditLog audit;
    private final VeilConfig config;
    private final Clock clock;

    public DecideResource(AdminCredentials credentials, UpstreamRegistry upstreams, CatalogRegistry catalogs,
                          StatementAnalysis analysis, PolicyEngine engine, AuditLog audit, VeilConfig config, Clock clock) {
        this.credentials = credentials;
        this.upstreams = upstreams;
        this.catalogs = catalogs;
        this.analysis = analysis;
        this.engine = engine;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /** The request cannot be decided; the message names the field and what it should be. */
    private static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response decide(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                           String body) {
        Optional<Identity> account = credentials.authenticate(authorization, http);
        if (account.isEmpty()) {
            return Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"veil\"")
                    .entity(error("authentication required: HTTP basic with a local account, or a Bearer token")).build();
        }
        if (!account.get().roles().contains(ADMIN_ROLE)) {
            return Response.status(Response.Status.FORBIDDEN).entity(error("the decide API is for accounts with the admin role")).build();
        }
        Map<String, Object> request;
        String asked;
        Asker asker;
        Dialect dialect;
        String sql;
        try {
            request = body(body);
            asked = text(request.get("database"), "database");
            asker = Asker.read(request.get("identity"), request.get("role"));
            dialect = dialect(request.get("dialect"));
            sql = text(request.get("sql"), "sql");
            if (sql == null || sql.isBlank()) {
                throw new BadRequest("sql is missing: the statement to decide");
            }
            String environment = text(request.get("environment"), "environment");
            if (environment != null && !environment.equals(config.environment())) {
                throw new BadRequest("environment: this Veil serves \"" + config.environment() + "\" and decides with its "
                        + "policy only; ask the Veil of \"" + environment + "\", or test a file with veil policy test --environment");
            }
        } catch (BadRequest | IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(error(e.getMessage())).build();
        }
        Choice choice = AdminUpstreams.choose(upstreams, config, dialect, asked);
        if (choice.upstream().isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND).entity(error("no " + dialect.name().toLowerCase(Locale.ROOT)
                    + " upstream for " + (asked == null ? "the default database" : asked)
                    + ": name one as upstream/database, or configure the listener's default upstream")).build();
        }
        UpstreamSettings upstream = choice.upstream().get();
        String database = choice.database();
        String catalog = catalogState(upstream, database);
        LexicalSettings lexical = LexicalSettings.defaults(dialect);
        NameResolution names = dialect == Dialect.MYSQL ? NameResolution.mysql(database) : null;
        DatabaseUser user = databaseUser(asker, upstream, engine.policy());
        PolicyTrial.Verdict verdict;
        try {
            verdict = new PolicyTrial(engine).decide(dialect, database, asker.facts(user.readOnly()), sql,
                    text -> analyse(upstream, database, lexical, names, text));
        } catch (IllegalStateException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(error(e.getMessage())).build();
        }
        PolicySet policy = engine.policy();
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("asker", asker.describe());
        detail.put("dialect", dialect.name().toLowerCase(Locale.ROOT));
        detail.put("database", upstream.name() + "/" + database);
        detail.put("statement", new LiteralRedactor(dialect).redact(sql));
        detail.put("verdict", PolicyTrial.verdict(verdict.decision()));
        detail.put("rule", verdict.decision().rule());
        if (policy != null) {
            detail.put("policyVersion", policy.version());
        }
        try {
            audit.record(new AuditEvent.AdminAction(clock.instant(), account.get().name(), "policy.decide", "/api/v1/decide",
                    detail, true)).get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity(error("the audit log cannot record this request: " + e.getMessage())).build();
        }
        return Response.ok(answer(verdict, asker, policy, upstream, database, catalog, user)).build();
    }

    /**
     * The database user the asker's session would log in as on {@code upstream}, as the session opener chooses it
     * from its roles and the upstream's role users (veil.upstreams.*.role-users).
     */
    public static DatabaseUser databaseUser(Asker asker, UpstreamSettings upstream, PolicySet policy) {
        List<String> roles = asker.sessionRoles(policy);
        Optional<DatabaseLogin> login = upstream.roleUsers().isEmpty() ? Optional.of(upstream.ownLogin()) : upstream.loginFor(roles);
        if (login.isEmpty()) {
            return new DatabaseUser(null, null, false, "veil.upstreams." + upstream.name() + ".require-role-user: none of "
                    + "the roles held (" + (roles.isEmpty() ? "none" : String.join(", ", roles)) + ") has a database user on "
                    + "upstream " + upstream.name() + ", so no session opens");
        }
        DatabaseLogin l = login.get();
        return new DatabaseUser(l.user(), l.role(), l.readOnly(), null);
    }

    private Map<String, Object> answer(PolicyTrial.Verdict verdict, Asker asker, PolicySet policy, UpstreamSettings upstream,
                                       String database, String catalog, DatabaseUser user) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.putAll(DecisionJson.of(verdict.decision()));
        out.put("environment", config.environment());
        out.put("policy", policy == null ? null : policy.source());
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("subject", asker.subject());
        who.put("kind", asker.facts().kind().label());
        who.put("roles", asker.roles() != null ? asker.roles() : policy == null ? List.of() : policy.rolesOf(asker.facts().identity()));
        who.put("rolesStated", asker.roles() != null);
        out.put("asker", who);
        out.put("database", upstream.name() + "/" + database);
        out.put("database-user", user.json());
        out.put("catalog", catalog);
        out.put("analysis", summary(verdict.analysis()));
        List<Map<String, Object>> statements = new ArrayList<>();
        for (PolicyTrial.Part p : verdict.statements()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("index", p.index());
            s.put("sql", p.sql());
            s.put("analysis", summary(p.analysis()));
            s.put("decision", DecisionJson.of(p.decision()));
            statements.add(s);
        }
        out.put("statements", statements);
        return out;
    }

    private static Map<String, Object> summary(Analysis a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.kind().name());
        m.put("analysed", a.analysed());
        a.failure().ifPresent(f -> m.put("failure", f));
        List<Map<String, Object>> relations = new ArrayList<>();
        a.relations().forEach(r -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("relation", r.qualified());
            one.put("action", r.action().name());
            relations.add(one);
        });
        m.put("relations", relations);
        return m;
    }

    /** "loaded", or why Veil has no catalog of the database (the statement is then decided as the pipeline would: unanalysed). */
    private String catalogState(UpstreamSettings upstream, String database) {
        try {
            catalogs.catalog(upstream, database).toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            return "loaded";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unavailable: interrupted";
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "unavailable (" + cause.getMessage() + "): analysed without a catalog, as Veil then analyses statements";
        }
    }

    private Analysis analyse(UpstreamSettings upstream, String database, LexicalSettings lexical, NameResolution names, String sql) {
        try {
            return analysis.analyze(upstream, database, lexical, names, sql).toCompletionStage().toCompletableFuture()
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while analysing");
        } catch (Exception e) {
            throw new IllegalStateException("the statement could not be analysed in " + WAIT_SECONDS + " s: " + e.getMessage());
        }
    }

    private static Map<String, Object> body(String body) throws BadRequest {
        Object parsed;
        try {
            parsed = body == null || body.isBlank() ? null : JSON.readValue(body, Object.class);
        } catch (JsonProcessingException e) {
            throw new BadRequest("the body is not JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new BadRequest("expected a JSON object {\"identity\" or \"role\", \"dialect\", \"database\", \"sql\"}");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        for (String key : out.keySet()) {
            if (!KEYS.contains(key)) {
                throw new BadRequest(key + " is not a field of a decide request; the fields are identity, role, environment, "
                        + "dialect, database, sql");
            }
        }
        return out;
    }

    private static Dialect dialect(Object value) throws BadRequest {
        String d = text(value, "dialect");
        if (d == null) {
            throw new BadRequest("dialect is missing: postgresql or mysql");
        }
        try {
            return Dialect.valueOf(d.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("dialect is postgresql or mysql, not \"" + d + "\"");
        }
    }

    private static String text(Object value, String field) throws BadRequest {
        if (value instanceof Map || value instanceof List) {
            throw new BadRequest(field + " is a text, not " + (value instanceof Map ? "an object" : "a list"));
        }
        return value == null ? null : value.toString();
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }
}
