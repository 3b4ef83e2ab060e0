package dev.veil.console;

import dev.veil.admin.AdminUpstreams;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.classification.ColumnClassification;
import dev.veil.classification.TagEvidence;
import dev.veil.config.VeilConfig;
import dev.veil.policy.PolicySet;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.TagRules;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.catalog.CatalogRegistry;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The catalogs Veil has read, with each column's effective tags (the classifier's, then the policy file's tags
 * section), as {@code GET /api/v1/catalog} gives them; {@code ?database=upstream/database} reads one now if need be.
 * An {@code admin.action} {@code catalog.read}.
 */
@Path("/console/catalog")
public class CatalogPage {
    private static final long WAIT_SECONDS = 90;

    @TemplateData
    public record Column(String name, String type, String tags) {
    }

    @TemplateData
    public record Relation(String name, String kind, List<Column> columns) {
    }

    @TemplateData
    public record Catalog(String database, String dialect, boolean stale, List<Relation> relations) {
    }

    private final ConsoleGate gate;
    private final ConsoleActions actions;
    private final CatalogRegistry catalogs;
    private final UpstreamRegistry upstreams;
    private final PolicyEngine engine;
    private final VeilConfig config;

    @Inject
    @Location("console/catalog")
    Template page;

    public CatalogPage(ConsoleGate gate, ConsoleActions actions, CatalogRegistry catalogs, UpstreamRegistry upstreams,
                       PolicyEngine engine, VeilConfig config) {
        this.gate = gate;
        this.actions = actions;
        this.catalogs = catalogs;
        this.upstreams = upstreams;
        this.engine = engine;
        this.config = config;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response show(@CookieParam(ConsoleSessions.COOKIE) String token, @QueryParam("database") String database) {
        ConsoleUser u = gate.viewer(token);
        String wanted = database == null || database.isBlank() ? null : database.strip();
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("database", wanted);
        actions.record(u.name(), "catalog.read", "/console/catalog", detail, true);
        String error = wanted == null ? null : load(wanted);
        PolicySet policy = engine.policy();
        TagRules tags = policy == null ? TagRules.NONE : policy.tags();
        List<Catalog> shown = new ArrayList<>();
        for (CatalogRegistry.LoadedCatalogEntry e : catalogs.loaded()) {
            shown.add(catalog(e.upstream() + "/" + e.database(), e.catalog().snapshot(), e.status() != null && e.status().stale(), tags));
        }
        String html = ConsoleGate.page(page, u, "/console/catalog", "Catalog").data("catalogs", shown)
                .data("database", wanted).data("error", error).render();
        return Response.status(error == null ? 200 : 503).type("text/html; charset=utf-8").entity(html).build();
    }

    /** Reads one database's catalog (and waits for its classification); the problem, or null. */
    private String load(String database) {
        AdminUpstreams.Choice choice = AdminUpstreams.choose(upstreams, config, Dialect.POSTGRESQL, database);
        if (choice.upstream().isEmpty()) {
            choice = AdminUpstreams.choose(upstreams, config, Dialect.MYSQL, database);
        }
        if (choice.upstream().isEmpty()) {
            return "No upstream for " + database + ": name one as upstream/database.";
        }
        UpstreamSettings upstream = choice.upstream().get();
        try {
            catalogs.classified(upstream, choice.database()).toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Interrupted while reading the catalog.";
        } catch (Exception e) {
            return "The catalog of " + upstream.name() + "/" + choice.database() + " cannot be read: "
                    + (e.getCause() == null ? e : e.getCause()).getMessage();
        }
    }

    private static Catalog catalog(String name, CatalogSnapshot snapshot, boolean stale, TagRules policyTags) {
        List<Relation> relations = new ArrayList<>();
        for (RelationInfo r : snapshot.userRelations()) {
            List<Column> columns = new ArrayList<>();
            for (ColumnInfo c : r.columns()) {
                ColumnClassification t = policyTags.apply(r.schema(), r.name(), c.name(), snapshot.tags().of(r.schema(), r.name(), c.name()));
                columns.add(new Column(c.name(), c.type(), t.tags().stream().map(CatalogPage::tag).collect(Collectors.joining("; "))));
            }
            relations.add(new Relation(r.schema() + "." + r.name(), r.kind().name().toLowerCase(Locale.ROOT), columns));
        }
        return new Catalog(name, snapshot.dialect() == Dialect.MYSQL ? "mysql" : "postgresql", stale, relations);
    }

    private static String tag(TagEvidence t) {
        return t.tag().label() + " (" + Math.round(t.confidence() * 100) + "%" + (t.evidence().isEmpty() ? "" : ": "
                + String.join(", ", t.evidence())) + ")";
    }
}
