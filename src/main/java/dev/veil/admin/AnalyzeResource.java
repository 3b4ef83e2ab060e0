package dev.veil.admin;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.LoadedCatalog;
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

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /api/v1/analyze} with {@code {"dialect": "postgresql"|"mysql", "database": "shop", "sql": "…"}}:
 * the statement's {@link Analysis} against the catalog of the upstream serving that database. HTTP basic
 * or Bearer authentication (see {@link AdminCredentials}); the identity needs role {@code admin}. {@code database} may name
 * the upstream as {@code upstream/database}, as database names do on the wire; otherwise the listener's default
 * upstream of that dialect is used, or the only upstream of that kind. Runs on a worker thread (it blocks on
 * the catalog load and on Calcite).
 */
@Path("/api/v1/analyze")
public class AnalyzeResource {
    public record AnalyzeRequest(String dialect, String database, String sql) {
    }

    private static final String ADMIN_ROLE = "admin";
    private static final long CATALOG_TIMEOUT_SECONDS = 30;

    private final AdminCredentials credentials;
    private final UpstreamRegistry upstreams;
    private final CatalogRegistry catalogs;
    private final AnalysisCache analyses;
    private final VeilConfig config;

    public AnalyzeResource(AdminCredentials credentials, UpstreamRegistry upstreams, CatalogRegistry catalogs,
                           AnalysisCache analyses, VeilConfig config) {
        this.credentials = credentials;
        this.upstreams = upstreams;
        this.catalogs = catalogs;
        this.analyses = analyses;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response analyze(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @Context HttpServerRequest http,
                            AnalyzeRequest request) {
        Optional<Identity> account = credentials.authenticate(authorization, http);
        if (account.isEmpty()) {
            return Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"veil\"")
                    .entity(error("authentication required: HTTP basic with a local account")).build();
        }
        if (!account.get().roles().contains(ADMIN_ROLE)) {
            return Response.status(Response.Status.FORBIDDEN).entity(error("role admin required")).build();
        }
        if (request == null || request.sql() == null || request.dialect() == null || request.database() == null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(error("expected {\"dialect\", \"database\", \"sql\"}")).build();
        }
        Dialect dialect;
        try {
            dialect = Dialect.valueOf(request.dialect().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(error("dialect is postgresql or mysql")).build();
        }
        AdminUpstreams.Choice choice = AdminUpstreams.choose(upstreams, config, dialect, request.database());
        Optional<UpstreamSettings> upstream = choice.upstream();
        String database = choice.database();
        if (upstream.isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND).entity(error("no " + request.dialect() + " upstream for " + request.database())).build();
        }
        LoadedCatalog catalog;
        try {
            catalog = catalogs.catalog(upstream.get(), database).toCompletionStage().toCompletableFuture()
                    .get(CATALOG_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(error("interrupted")).build();
        } catch (Exception e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .entity(error("cannot read the catalog of " + upstream.get().name() + "/" + database + ": " + e.getMessage())).build();
        }
        Analysis analysis = analyses.analyze(dialect, catalog.snapshot(), catalog.defaultNames(), request.sql());
        return Response.ok(AnalysisJson.of(analysis)).build();
    }


    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }
}
