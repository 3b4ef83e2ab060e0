package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.lineage.Lineage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statements nested far deeper than Calcite's recursion can follow (PostgreSQL itself runs 5,000 levels) are not
 * analysed, and say so: no exception escapes, the kind still comes from the token scan, and the reason names the
 * depth and the limit. Before the limit, Calcite's StackOverflowError came out as a message-less exception and
 * the analysis itself threw a NullPointerException.
 */
class DeepNestingTest {
    private static final Map<String, IntFunction<String>> FORMS = new LinkedHashMap<>();

    static {
        FORMS.put("parentheses", n -> "SELECT " + "(".repeat(n) + "1" + ")".repeat(n));
        FORMS.put("sub-queries in FROM", n -> "SELECT * FROM " + "(SELECT * FROM ".repeat(n) + "customers" + ") x".repeat(n));
        FORMS.put("IN sub-queries", n -> "SELECT email FROM customers WHERE id IN "
                + "(SELECT id FROM customers WHERE id IN ".repeat(n) + "(1)" + ")".repeat(n));
        FORMS.put("CASE", n -> "SELECT " + "CASE WHEN id = 1 THEN ".repeat(n) + "email" + " END".repeat(n) + " FROM customers");
        FORMS.put("OR chain", n -> "SELECT email FROM customers WHERE " + "id = 1 OR ".repeat(n) + "id = 2");
        FORMS.put("AND chain", n -> "SELECT email FROM customers WHERE " + "id > 1 AND ".repeat(n) + "id < 2");
        FORMS.put("NOT chain", n -> "SELECT email FROM customers WHERE " + "NOT ".repeat(n) + "id = 2");
        FORMS.put("function calls", n -> "SELECT " + "abs(".repeat(n) + "id" + ")".repeat(n) + " FROM customers");
    }

    private static final CatalogSnapshot PG = ShopCatalog.postgres();
    private static final CatalogSnapshot MY = ShopCatalog.mysql();

    private static CatalogSnapshot catalog(Dialect d) {
        return d == Dialect.POSTGRESQL ? PG : MY;
    }

    private static NameResolution names(Dialect d) {
        return d == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
    }

    @Test
    void aThousandAndFiveThousandLevelsFailClosedWithTheDepthAndTheLimit() {
        StatementAnalyzer analyzer = new StatementAnalyzer();
        for (int levels : new int[] {1_000, 5_000}) {
            for (Map.Entry<String, IntFunction<String>> form : FORMS.entrySet()) {
                for (Dialect d : Dialect.values()) {
                    String sql = form.getValue().apply(levels);
                    Analysis a = analyzer.analyze(d, catalog(d), names(d), sql);
                    String what = d + ", " + levels + " levels of " + form.getKey();
                    assertThat(a.failure()).as(what).hasValueSatisfying(reason -> assertThat(reason)
                            .matches("statement nested deeper than Veil analyses \\(\\d+ levels, limit 200; "
                                    + "veil\\.analysis\\.max-depth\\)"));
                    int reported = Integer.parseInt(a.failure().get().replaceAll("\\D*(\\d+) levels.*", "$1"));
                    assertThat(reported).as(what).isGreaterThanOrEqualTo(levels);
                    assertThat(a.kind()).as(what).isEqualTo(StatementKind.READ);
                    assertThat(a.lineage(0)).as(what).isInstanceOf(Lineage.Unknown.class);
                }
            }
        }
    }

    @Test
    void throughTheCacheTheSameFailureIsReturnedAndKept() {
        AnalysisCache cache = new AnalysisCache(new StatementAnalyzer(), 100);
        String sql = FORMS.get("parentheses").apply(5_000);
        for (Dialect d : Dialect.values()) {
            Analysis first = cache.analyze(d, catalog(d), names(d), sql);
            assertThat(first.failure()).hasValueSatisfying(r -> assertThat(r).startsWith("statement nested deeper"));
            assertThat(cache.analyze(d, catalog(d), names(d), sql)).isSameAs(first);
        }
        assertThat(cache.misses()).isEqualTo(2);
    }

    @Test
    void nestingWellInsideTheLimitIsStillAnalysed() {
        StatementAnalyzer analyzer = new StatementAnalyzer();
        for (Map.Entry<String, IntFunction<String>> form : FORMS.entrySet()) {
            for (Dialect d : Dialect.values()) {
                Analysis a = analyzer.analyze(d, catalog(d), names(d), form.getValue().apply(30));
                assertThat(a.failure()).as(d + ", 30 levels of " + form.getKey()).isEmpty();
            }
        }
    }

    /** Should a form slip past the estimate, Calcite's stack overflow still gives a clear, closed failure. */
    @Test
    void withoutTheLimitCalcitesStackOverflowIsNamedNotThrown() {
        StatementAnalyzer unlimited = new StatementAnalyzer(new AnalysisLimits(1_000_000, 1_000_000, Duration.ofMinutes(5)));
        for (String form : new String[] {"parentheses", "OR chain"}) {
            for (Dialect d : Dialect.values()) {
                Analysis a = unlimited.analyze(d, catalog(d), names(d), FORMS.get(form).apply(5_000));
                assertThat(a.failure()).as(d + ", " + form).hasValue("statement nested deeper than Veil analyses "
                        + "(Calcite ran out of stack; limit 1000000 levels; veil.analysis.max-depth)");
                assertThat(a.kind()).isEqualTo(StatementKind.READ);
            }
        }
    }
}
