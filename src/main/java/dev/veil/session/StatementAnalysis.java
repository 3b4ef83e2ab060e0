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
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The analysis step of the statement pipeline, for both dialects: the catalog of the session's (upstream,
 * database), then the cached analysis (a tokenization on the event loop) or, on a miss, Calcite's work on a
 * worker thread so that no event loop ever plans. It never fails: a catalog that cannot be read or an
 * analysis that throws gives a fail-closed analysis (every column Unknown, kind from the token scan).
 */
@ApplicationScoped
public class StatementAnalysis {
    private static final Logger LOG = Logger.getLogger(StatementAnalysis.class);

    private final AnalysisCache cache;
    private final CatalogRegistry catalogs;
    private final Vertx vertx;
    private final StatementAnalyzer fallback = new StatementAnalyzer();

    public StatementAnalysis(AnalysisCache cache, CatalogRegistry catalogs, Vertx vertx, MeterRegistry metrics) {
        this.cache = cache;
        this.catalogs = catalogs;
        this.vertx = vertx;
        metrics.gauge("veil.analysis.cache.hits", cache, c -> c.hits());
        metrics.gauge("veil.analysis.cache.misses", cache, c -> c.misses());
    }

    public Future<Analysis> analyze(UpstreamSettings upstream, String database, LexicalSettings lexical,
                                    NameResolution names, String sql) {
        return catalogs.catalog(upstream, database == null ? "" : database)
                .transform(ar -> {
                    if (ar.failed()) {
                        LOG.debugf("catalog of %s/%s unavailable (%s): analysing without it", upstream.name(), database,
                                ar.cause().getMessage());
                        return analyze(lexical, CatalogSnapshot.builder(lexical.dialect(), database == null ? "" : database).build(),
                                names, sql);
                    }
                    LoadedCatalog c = ar.result();
                    return analyze(lexical, c.snapshot(), names == null ? c.defaultNames() : names, sql);
                });
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
