package dev.veil.admin;

import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.AnalysisLimits;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.config.VeilConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The analyzer and its cache as application beans (the analysis package itself knows nothing of CDI). */
@ApplicationScoped
public class AnalysisBeans {
    /** Statement shapes a busy gateway sees stay far below this; each entry is a few kilobytes. */
    private static final long CACHE_ENTRIES = 10_000;

    @Produces
    @Singleton // called for every statement: no client proxy in between
    AnalysisCache analysisCache(VeilConfig config) {
        VeilConfig.AnalysisSettings a = config.analysis();
        return new AnalysisCache(new StatementAnalyzer(new AnalysisLimits(a.maxDepth(), a.maxTokens(), a.maxTime())),
                CACHE_ENTRIES);
    }
}
