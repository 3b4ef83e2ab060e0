package dev.veil.session;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.upstream.catalog.CatalogRegistry;
import dev.veil.upstream.catalog.LoadedCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RoutineInfo;
import dev.veil.audit.AuditEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The analysis step of the statement pipeline, for both dialects: the catalog of the session's (upstream,
 * database), then the cached analysis (a tokenization on the event loop) or, on a miss, Calcite's work on a
 * worker thread so that no event loop ever plans. It never fails: a catalog that cannot be read or an
 * analysis that throws gives a fail-closed analysis (every column Unknown, kind from the token scan).
 */
@Singleton // called for every statement: no client proxy in between
public class StatementAnalysis {
    private static final Logger LOG = Logger.getLogger(StatementAnalysis.class);

    private final AnalysisCache cache;
    private final CatalogRegistry catalogs;
    private final Vertx vertx;
    private final StatementAnalyzer fallback = new StatementAnalyzer();
    private final Map<String, CatalogSnapshot> emptyCatalogs = new ConcurrentHashMap<>();
    /** Audit summaries of cached analyses, by identity (an Analysis's own hashCode walks all of it). */
    private final Cache<Analysis, AuditEvent.Analysis> summaries =
            Caffeine.newBuilder().weakKeys().maximumSize(10_000).executor(Runnable::run).build();

    public StatementAnalysis(AnalysisCache cache, CatalogRegistry catalogs, Vertx vertx, MeterRegistry metrics) {
        this.cache = cache;
        this.catalogs = catalogs;
        this.vertx = vertx;
        FunctionCounter.builder("veil.analysis.cache.hits", cache, AnalysisCache::hits)
                .description("Statements whose analysis came from the cache").register(metrics);
        FunctionCounter.builder("veil.analysis.cache.misses", cache, AnalysisCache::misses)
                .description("Statements Calcite had to analyse").register(metrics);
        Gauge.builder("veil.analysis.cache.hit.ratio", cache, StatementAnalysis::hitRatio)
                .description("Hits over all lookups since start (NaN before the first)").register(metrics);
        Gauge.builder("veil.analysis.cache.size", cache, AnalysisCache::size)
                .description("Analyses held (approximate)").register(metrics);
    }

    private static double hitRatio(AnalysisCache cache) {
        double hits = cache.hits();
        double all = hits + cache.misses();
        return all == 0 ? Double.NaN : hits / all;
    }

    /**
     * The analysis of one statement, completed on the caller's context: the catalog load completes on the
     * reactive client's own event loop and a miss on a worker, and the session's state must only ever be
     * touched from its own loop. A cache hit completes at once (no hop).
     */
    public Future<Analysis> analyze(UpstreamSettings upstream, String database, LexicalSettings lexical,
                                    NameResolution names, String sql) {
        return onCaller(analyzeAnywhere(upstream, database, lexical, names, sql));
    }

    /**
     * The server function a call by id names (PostgreSQL's fast-path FunctionCall), from the functions of the
     * session's database (read on the first call); empty when they cannot be read or do not list it. Completes on
     * the caller's context, like {@link #analyze}.
     */
    public Future<Optional<RoutineInfo>> routine(UpstreamSettings upstream, String database, long oid) {
        Future<Optional<RoutineInfo>> routine;
        try {
            routine = catalogs.routine(upstream, database == null ? "" : database, oid);
        } catch (RuntimeException e) {
            routine = Future.failedFuture(e);
        }
        return onCaller(routine.transform(ar -> Future.succeededFuture(ar.succeeded()
                ? ar.result() : Optional.<RoutineInfo>empty())));
    }

    private static <T> Future<T> onCaller(Future<T> result) {
        Context caller = Vertx.currentContext();
        if (result.isComplete() || caller == null) {
            return result;
        }
        Promise<T> onCaller = Promise.promise();
        result.onComplete(ar -> {
            if (Vertx.currentContext() == caller) {
                onCaller.handle(ar);
            } else {
                caller.runOnContext(v -> onCaller.handle(ar));
            }
        });
        return onCaller.future();
    }

    private Future<Analysis> analyzeAnywhere(UpstreamSettings upstream, String database, LexicalSettings lexical,
                                             NameResolution names, String sql) {
        Future<LoadedCatalog> catalog;
        try {
            catalog = catalogs.catalog(upstream, database == null ? "" : database);
        } catch (RuntimeException e) {
            catalog = Future.failedFuture(e);
        }
        if (catalog.isComplete()) {
            // The usual case: read the loaded catalog here. Chaining on the future would run the rest on the
            // event loop of the client that loaded it, a hop to another thread and back per statement.
            return withCatalog(catalog, upstream, database, lexical, names, sql);
        }
        return catalog.transform(ar -> withCatalog(ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()),
                upstream, database, lexical, names, sql));
    }

    private Future<Analysis> withCatalog(Future<LoadedCatalog> catalog, UpstreamSettings upstream, String database,
                                         LexicalSettings lexical, NameResolution names, String sql) {
        if (catalog.failed()) {
            LOG.debugf("catalog of %s/%s unavailable (%s): analysing without it", upstream.name(), database,
                    catalog.cause().getMessage());
            // One empty snapshot per database, so the fail-closed analyses are cached like any other.
            CatalogSnapshot empty = emptyCatalogs.computeIfAbsent(lexical.dialect() + "/" + database,
                    k -> CatalogSnapshot.builder(lexical.dialect(), database == null ? "" : database).build());
            return analyze(lexical, empty, names, sql);
        }
        LoadedCatalog c = catalog.result();
        return analyze(lexical, c.snapshot(), names == null ? c.defaultNames() : names, sql);
    }

    /**
     * Warms Calcite up on a worker thread once the listeners are open (parser, validator, planner and lineage
     * classes), so the first client statement does not pay hundreds of milliseconds on the JVM. It waits for the
     * listeners so that it does not compete with opening them. A private catalog is used: nothing is cached for
     * real upstreams.
     */
    void warmUp(@Observes ListenersStarted event) {
        vertx.executeBlocking(() -> {
            long started = System.nanoTime();
            for (Dialect d : Dialect.values()) {
                String schema = d == Dialect.POSTGRESQL ? "public" : "warmup";
                CatalogSnapshot c = CatalogSnapshot.builder(d, "warmup")
                        .table(schema, "t", new ColumnInfo("id", "int", false),
                                new ColumnInfo("name", "varchar", true))
                        .build();
                NameResolution n = d == Dialect.POSTGRESQL ? NameResolution.postgres("warmup") : NameResolution.mysql("warmup");
                LexicalSettings lex = LexicalSettings.defaults(d);
                fallback.analyze(lex, c, n, "SELECT id, upper(name) FROM t WHERE id = 1 ORDER BY name");
                fallback.analyze(lex, c, n, "SELECT count(*), (SELECT max(id) FROM t) FROM t GROUP BY name");
                fallback.analyze(lex, c, n, "UPDATE t SET name = 'x' WHERE id = 2");
            }
            LOG.debugf("analysis warmed up in %d ms", (System.nanoTime() - started) / 1_000_000);
            return null;
        }, false);
    }

    /** What of an analysis the audit trail records; computed once per cached analysis. */
    public AuditEvent.Analysis summary(Analysis analysis) {
        return summaries.get(analysis, AnalysisSummary::of);
    }

    private Future<Analysis> analyze(LexicalSettings lexical, CatalogSnapshot catalog, NameResolution names, String sql) {
        NameResolution n = names != null ? names : lexical.dialect() == Dialect.POSTGRESQL
                ? NameResolution.postgres(catalog.database()) : NameResolution.mysql(catalog.database());
        try {
            var hit = cache.cached(lexical, catalog, n, sql);
            if (hit.isPresent()) {
                return Future.succeededFuture(hit.get());
            }
        } catch (RuntimeException e) {
            return Future.succeededFuture(fallback.analyze(lexical, catalog, n, sql));
        }
        return vertx.executeBlocking(() -> {
            try {
                return cache.analyze(lexical, catalog, n, sql);
            } catch (RuntimeException e) {
                LOG.warnf("analysis failed unexpectedly (%s); failing closed", e.toString());
                return fallback.analyze(lexical, catalog, n, sql);
            }
        }, false);
    }
}
