package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.text.LexicalSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AnalysisCacheTest {
    private final AnalysisCache cache = new AnalysisCache(new StatementAnalyzer(), 100);
    private final CatalogSnapshot shop = ShopCatalog.postgres();
    private final NameResolution path = NameResolution.postgres("shop");

    @Test
    void statementsDifferingOnlyInLiteralsShareOneAnalysis() {
        Analysis first = cache.analyze(Dialect.POSTGRESQL, shop, path, "SELECT email FROM customers WHERE id = 1");
        Analysis second = cache.analyze(Dialect.POSTGRESQL, shop, path, "SELECT email FROM customers WHERE id = 2");
        assertThat(second).isSameAs(first);
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void literalsCannotTurnACachedAnalysisIntoAConstant() {
        Analysis hidden = cache.analyze(Dialect.POSTGRESQL, shop, path,
                "SELECT CASE WHEN 1 = 0 THEN ssn ELSE 'none' END FROM customers");
        Analysis shown = cache.analyze(Dialect.POSTGRESQL, shop, path,
                "SELECT CASE WHEN 1 = 1 THEN ssn ELSE 'none' END FROM customers");
        assertThat(shown).isSameAs(hidden);
        assertThat(shown.lineage(0)).isInstanceOf(Lineage.Known.class);
    }

    @Test
    void aNewCatalogVersionIsANewEntry() {
        cache.analyze(Dialect.POSTGRESQL, shop, path, "SELECT email FROM customers");
        cache.analyze(Dialect.POSTGRESQL, shop.withVersion(2), path, "SELECT email FROM customers");
        assertThat(cache.misses()).isEqualTo(2);
    }

    @Test
    void aDifferentSearchPathIsANewEntry() {
        Analysis onPublic = cache.analyze(Dialect.POSTGRESQL, shop, path, "SELECT email FROM customers");
        Analysis elsewhere = cache.analyze(Dialect.POSTGRESQL, shop, NameResolution.postgres("shop", "reporting"),
                "SELECT email FROM customers");
        assertThat(onPublic.analysed()).isTrue();
        assertThat(elsewhere.analysed()).isFalse();
    }

    @Test
    void failuresAreCachedToo() {
        cache.analyze(Dialect.POSTGRESQL, shop, path, "SELECT secret FROM vault WHERE x = 1");
        Analysis again = cache.analyze(Dialect.POSTGRESQL, shop, path, "SELECT secret FROM vault WHERE x = 2");
        assertThat(again.analysed()).isFalse();
        assertThat(cache.hits()).isEqualTo(1);
    }

    @Test
    void theEventLoopProbeThenAnAnalysisCountOneMissAndAHitAfterwards() {
        // The pipeline's order: cached() on the event loop, analyze() on a worker only when that found nothing.
        var lexical = LexicalSettings.defaults(Dialect.POSTGRESQL);
        String sql = "SELECT email FROM customers WHERE id = 7";
        assertThat(cache.cached(lexical, shop, path, sql)).isEmpty();
        cache.analyze(lexical, shop, path, sql);
        assertThat(cache.cached(lexical, shop, path, "SELECT email FROM customers WHERE id = 8")).isPresent();
        assertThat(cache.misses()).isEqualTo(1);
        assertThat(cache.hits()).isEqualTo(1);
    }
}
