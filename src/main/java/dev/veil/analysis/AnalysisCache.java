package dev.veil.analysis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.text.Fingerprint;
import dev.veil.analysis.text.Fingerprinter;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.SqlTokenizer;
import dev.veil.analysis.text.Tokens;

import java.util.List;

/**
 * Analyses by statement fingerprint (literals normalised), catalog and its version, name resolution and lexical
 * settings: drivers resend the same statement shapes, and a hit costs a tokenization instead of a plan. Failed
 * analyses are cached too. Literals cannot change an analysis: the planner does not fold expressions by their
 * literal values, and no statement form is classified by a literal.
 */
public final class AnalysisCache {
    /** Everything that can change an analysis besides the literals of the statement. */
    public record Key(LexicalSettings settings, CatalogSnapshot catalog, long catalogVersion,
                      List<String> schemaPath, long fingerprint, String normalized) {
    }

    private final StatementAnalyzer analyzer;
    private final Cache<Key, Analysis> cache;

    public AnalysisCache(StatementAnalyzer analyzer, long maximumEntries) {
        this.analyzer = analyzer;
        this.cache = Caffeine.newBuilder().maximumSize(maximumEntries).recordStats().build();
    }

    public Analysis analyze(Dialect dialect, CatalogSnapshot catalog, NameResolution names, String sql) {
        return analyze(LexicalSettings.defaults(dialect), catalog, names, sql);
    }

    public Analysis analyze(LexicalSettings settings, CatalogSnapshot catalog, NameResolution names, String sql) {
        Tokens tokens = new SqlTokenizer(settings).tokenize(sql);
        Fingerprint fp = Fingerprinter.fingerprint(tokens);
        Key key = new Key(settings, catalog, catalog.version(),
                names.schemaPath(), fp.hash(), fp.normalized());
        return cache.get(key, k -> analyzer.analyze(settings, catalog, names, sql, tokens));
    }

    /**
     * The cached analysis, if there is one: what an event loop may call (a tokenization, no planning). On
     * empty, run {@link #analyze(LexicalSettings, CatalogSnapshot, NameResolution, String)} off the loop.
     */
    public java.util.Optional<Analysis> cached(LexicalSettings settings, CatalogSnapshot catalog, NameResolution names, String sql) {
        Fingerprint fp = Fingerprinter.fingerprint(new SqlTokenizer(settings).tokenize(sql));
        return java.util.Optional.ofNullable(cache.getIfPresent(new Key(settings, catalog, catalog.version(),
                names.schemaPath(), fp.hash(), fp.normalized())));
    }

    public long hits() {
        return cache.stats().hitCount();
    }

    public long misses() {
        return cache.stats().missCount();
    }

    public long size() {
        return cache.estimatedSize();
    }

    /** Drops every entry (a catalog refresh changes the version, so this is only needed to free memory). */
    public void clear() {
        cache.invalidateAll();
    }
}
