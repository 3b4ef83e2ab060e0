package dev.veil.analysis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.text.Fingerprint;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.TextReading;
import dev.veil.analysis.text.Tokens;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Analyses by statement fingerprint (literals normalised), catalog and its version, name resolution and lexical
 * settings: drivers resend the same statement shapes, and a hit costs a tokenization instead of a plan. Failed
 * analyses are cached too, except those that ran out of time (the next run may not). Literals cannot change an
 * analysis: the planner does not fold expressions by their literal values, and no statement form is classified
 * by a literal; the one exception, an UPDATE / DELETE whose WHERE could be always true for some literal values,
 * is marked {@link Effects#literalSensitive()} and kept by exact text. Nor can the length of a literal IN list or of a VALUES list of constants, which the fingerprint
 * folds: the analysis shortens them the same way before Calcite sees them.
 */
public final class AnalysisCache {
    /** Everything that can change an analysis besides the literals of the statement. */
    public record Key(LexicalSettings settings, CatalogSnapshot catalog, long catalogVersion,
                      List<String> schemaPath, long fingerprint, String normalized) {
        /**
         * The fingerprint's hash stands for the normalised text (equals still compares the text): a record's own
         * hashCode hashed the whole text, a fresh string for every statement.
         */
        @Override
        public int hashCode() {
            return (Long.hashCode(fingerprint) * 31 + catalog.hashCode()) * 31 + Long.hashCode(catalogVersion);
        }

        /** Written out, cheapest comparisons first: the record's generated equals went through method handles. */
        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof Key k && k.fingerprint == fingerprint && k.catalog == catalog
                    && k.catalogVersion == catalogVersion && Objects.equals(k.settings, settings)
                    && Objects.equals(k.schemaPath, schemaPath) && Objects.equals(k.normalized, normalized);
        }
    }

    private final StatementAnalyzer analyzer;
    private final Cache<Key, Analysis> cache;
    /**
     * Analyses whose verdict depends on literal values (an UPDATE / DELETE whose WHERE may be always true for
     * some literals: {@code id >= 0 OR id < 0}), by exact text; the shape's entry says to look here.
     */
    private final Cache<ExactKey, Analysis> exact;

    private record ExactKey(Key shape, String sql) {
    }
    /*
     * Counted here rather than with Caffeine's recordStats: the pipeline probes with cached() and, on nothing,
     * calls analyze(), which Caffeine would count as two misses. Here each lookup counts once: a probe counts
     * only what it finds, analyze() counts a miss when it ran the analyzer and a hit otherwise.
     */
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public AnalysisCache(StatementAnalyzer analyzer, long maximumEntries) {
        this.analyzer = analyzer;
        // Maintenance (eviction, buffer drains) on the caller, an event loop for a hit: with the default executor
        // each drain woke a common-pool thread, a hand-over per few hundred lookups on cores the loops need.
        this.cache = Caffeine.newBuilder().maximumSize(maximumEntries).executor(Runnable::run).build();
        this.exact = Caffeine.newBuilder().maximumSize(maximumEntries).executor(Runnable::run).build();
    }

    public Analysis analyze(Dialect dialect, CatalogSnapshot catalog, NameResolution names, String sql) {
        return analyze(LexicalSettings.defaults(dialect), catalog, names, sql);
    }

    public Analysis analyze(LexicalSettings settings, CatalogSnapshot catalog, NameResolution names, String sql) {
        TextReading reading = TextReading.of(settings, sql);
        Tokens tokens = reading.tokens();
        Fingerprint fp = reading.fingerprint();
        Key key = new Key(settings, catalog, catalog.version(),
                names.schemaPath(), fp.hash(), fp.normalized());
        boolean[] analysed = {false};
        Analysis a = cache.get(key, k -> {
            analysed[0] = true;
            return analyzer.analyze(settings, catalog, names, sql, tokens);
        });
        if (a.effects().literalSensitive()) {
            Analysis shape = a;
            a = exact.get(new ExactKey(key, sql), k -> {
                if (analysed[0]) {
                    return shape;
                }
                analysed[0] = true;
                return analyzer.analyze(settings, catalog, names, sql, tokens);
            });
        }
        (analysed[0] ? misses : hits).increment();
        if (analysed[0] && Deadline.ranOut(a)) {
            cache.asMap().remove(key, a);
        }
        return a;
    }

    /**
     * The cached analysis, if there is one: what an event loop may call (a tokenization, no planning). On
     * empty, run {@link #analyze(LexicalSettings, CatalogSnapshot, NameResolution, String)} off the loop.
     */
    public Optional<Analysis> cached(LexicalSettings settings, CatalogSnapshot catalog, NameResolution names, String sql) {
        Fingerprint fp = TextReading.of(settings, sql).fingerprint();
        Key key = new Key(settings, catalog, catalog.version(), names.schemaPath(), fp.hash(), fp.normalized());
        Analysis a = cache.getIfPresent(key);
        if (a != null && a.effects().literalSensitive()) {
            a = exact.getIfPresent(new ExactKey(key, sql));
        }
        if (a != null) {
            hits.increment();
        }
        return Optional.ofNullable(a);
    }

    /** Lookups answered from the cache. */
    public long hits() {
        return hits.sum();
    }

    /** Lookups that ran the analyzer. */
    public long misses() {
        return misses.sum();
    }

    public long size() {
        return cache.estimatedSize();
    }

    /** Drops every entry (a catalog refresh changes the version, so this is only needed to free memory). */
    public void clear() {
        cache.invalidateAll();
        exact.invalidateAll();
    }
}
