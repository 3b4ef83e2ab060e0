package dev.veil.admin;

import dev.veil.admin.AdminUpstreams.Choice;
import dev.veil.analysis.Dialect;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicySet;
import dev.veil.policy.TagRules;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.CatalogStatus;
import dev.veil.upstream.catalog.LoadedCatalog;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/catalog}: the catalogs Veil has read, per upstream and database, with every column's tags,
 * confidence and evidence (see {@link CatalogJson}). Catalogs are read when a session first uses a database;
 * {@code ?database=upstream/database} (or a database of the {@code dialect}'s default upstream) reads that one now
 * if need be and waits for its classification (values sampled) before answering. Admin role, as every /api/v1
 * endpoint; each request is an {@code admin.action} ({@code catalog.read}) in the audit trail.
 */
@Path("/api/v1/catalog")
public class CatalogResource {
    private static final String ADMIN_ROLE = "admin";
    private static final long WAIT_SECONDS = 90;

    private final AdminCredentials credentials;
    private final UpstreamRegistry upstreams;
    private final CatalogRegistry catalogs;
    private final PolicyEngine engine;
    private final AuditLog audit;
    private final VeilConfig config;
    private final Clock clock;

    public CatalogResource(AdminCredentials credentials, UpstreamRegistry upstreams, CatalogRegistry catalogs,
                           PolicyEngine engine, AuditLog audit, VeilConfig config, Clock clock) {
        this.credentials = credentials;
        this.upstreams = upstreams;
        this.catalogs = catalogs;
        this.engine = engine;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response catalog(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                            @QueryParam("database") String database, @QueryParam("dialect") String dialect) {
        Optional<Identity> account = credentials.authenticate(authorization, http);
        if (account.isEmpty()) {
            return Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"veil\"")
                    .entity(error("authentication required: HTTP basic with a local account, or a Bearer token")).build();
        }
        if (!account.get().roles().contains(ADMIN_ROLE)) {
            return Response.status(Response.Status.FORBIDDEN).entity(error("the catalog API is for accounts with the admin role")).build();
        }
        Dialect d;
        try {
            d = dialect == null || dialect.isBlank() ? Dialect.POSTGRESQL : Dialect.valueOf(dialect.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(error("dialect is postgresql or mysql")).build();
        }
        Map<String, String> detail = new LinkedHashMap<>();
        if (database != null) {
            detail.put("database", database);
        }
        try {
            audit.record(new AuditEvent.AdminAction(clock.instant(), account.get().name(), "catalog.read", "/api/v1/catalog",
                    detail, true)).get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity(error("the audit log cannot record this request: " + e.getMessage())).build();
        }
        PolicySet policy = engine.policy();
        TagRules tags = policy == null ? TagRules.NONE : policy.tags();
        List<Map<String, Object>> out = new ArrayList<>();
        if (database == null || database.isBlank()) {
            for (CatalogRegistry.LoadedCatalogEntry e : catalogs.loaded()) {
                out.add(CatalogJson.of(e.upstream(), e.database(), e.catalog().snapshot(), e.status(), tags));
            }
            return Response.ok(Map.of("catalogs", out)).build();
        }
        Choice choice = AdminUpstreams.choose(upstreams, config, d, database);
        if (choice.upstream().isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND).entity(error("no " + d.name().toLowerCase(Locale.ROOT)
                    + " upstream for " + database + ": name one as upstream/database, or configure the listener's "
                    + "default upstream")).build();
        }
        UpstreamSettings upstream = choice.upstream().get();
        LoadedCatalog loaded;
        try {
            loaded = catalogs.classified(upstream, choice.database()).toCompletionStage().toCompletableFuture()
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(error("interrupted")).build();
        } catch (Exception e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(error("the catalog of " + upstream.name()
                    + "/" + choice.database() + " cannot be read: " + (e.getCause() == null ? e : e.getCause()).getMessage()))
                    .build();
        }
        CatalogStatus status = catalogs.status().stream()
                .filter(s -> s.upstream().equals(upstream.name()) && s.database().equals(choice.database()))
                .findFirst().orElse(null);
        out.add(CatalogJson.of(upstream.name(), choice.database(), loaded.snapshot(), status, tags));
        return Response.ok(Map.of("catalogs", out)).build();
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }
}
