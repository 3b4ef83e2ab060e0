package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.text.LexicalSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.StringJoiner;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk statements reach Calcite short: a VALUES list of constants as one row, an IN list of constants as one
 * item, with the same analysis as a short statement of the same shape (a constant has no origin, so the rows
 * and items change nothing). And every analysis is bounded: in size, and in time, with a reason naming the
 * limit.
 */
class LargeStatementsTest {
    private static final StatementAnalyzer ANALYZER = new StatementAnalyzer();

    private static final CatalogSnapshot PG = ShopCatalog.postgres();
    private static final CatalogSnapshot MY = ShopCatalog.mysql();

    private static CatalogSnapshot catalog(Dialect d) {
        return d == Dialect.POSTGRESQL ? PG : MY;
    }

    private static NameResolution names(Dialect d) {
        return d == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
    }

    private static Analysis analyse(Dialect d, String sql) {
        return ANALYZER.analyze(d, catalog(d), names(d), sql);
    }

    private static String parameter(Dialect d, int n) {
        return d == Dialect.POSTGRESQL ? "$" + n : "?";
    }

    private static String rows(int count, IntFunction<String> row) {
        StringJoiner rows = new StringJoiner(", ");
        for (int r = 0; r < count; r++) {
            rows.add(row.apply(r));
        }
        return rows.toString();
    }

    /** What an analysis says, without its fingerprint (which may differ with the rows' shapes). */
    private static void sameAnalysis(Analysis large, Analysis small) {
        assertThat(large.failure()).isEmpty();
        assertThat(large).usingRecursiveComparison().ignoringFields("fingerprint").isEqualTo(small);
    }

    private static final String INSERT = "INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES ";

    @Test
    void anInsertOfFiftyThousandParametersIsAnalysedAsOneRow() {
        for (Dialect d : Dialect.values()) {
            int[] p = {1};
            IntFunction<String> row = r -> "(" + rows(5, c -> parameter(d, p[0]++)) + ")";
            String large = INSERT + rows(10_000, row);
            p[0] = 1;
            String small = INSERT + rows(2, row);
            sameAnalysis(analyse(d, large), analyse(d, small));
            assertThat(analyse(d, large).writes()).hasSize(5);
        }
    }

    @Test
    void literalRowsWithNullsAndDefaultsAreAnalysedAsOneRow() {
        IntFunction<String> row = r -> "(" + (r % 7 == 0 ? "DEFAULT" : String.valueOf(r)) + ", " + -r + ", " + r
                + ".25, " + (r % 2 == 0 ? "'new'" : "NULL") + ", " + (r % 3 == 0 ? "NULL" : "'2024-01-02 03:04:05'") + ")";
        for (Dialect d : Dialect.values()) {
            sameAnalysis(analyse(d, INSERT + rows(10_000, row)), analyse(d, INSERT + rows(2, r -> row.apply(r + 1))));
        }
    }

    @Test
    void upsertsKeepTheirUpdateAndReturningWithManyRows() {
        String pg = "INSERT INTO orders VALUES %s ON CONFLICT (id) DO UPDATE SET status = excluded.status RETURNING id, amount";
        IntFunction<String> pgRow = r -> "(" + r + ", 2, 3.5, 'x', '2024-01-01'::timestamptz)";
        sameAnalysis(analyse(Dialect.POSTGRESQL, pg.formatted(rows(5_000, pgRow))),
                analyse(Dialect.POSTGRESQL, pg.formatted(rows(2, pgRow))));
        String my = "INSERT INTO orders VALUES %s ON DUPLICATE KEY UPDATE status = VALUES(status)";
        IntFunction<String> myRow = r -> "(" + r + ", 2, 3.5, 'x', NULL)";
        sameAnalysis(analyse(Dialect.MYSQL, my.formatted(rows(5_000, myRow))),
                analyse(Dialect.MYSQL, my.formatted(rows(2, myRow))));
    }

    @Test
    void aValuesListInFromKeepsItsColumns() {
        String sql = "SELECT v.a, v.b, c.email FROM (VALUES %s) AS v (a, b) JOIN customers c ON c.id = v.a";
        IntFunction<String> row = r -> "(" + r + ", 'x" + r + "')";
        for (Dialect d : Dialect.values()) {
            sameAnalysis(analyse(d, sql.formatted(rows(3_000, row))), analyse(d, sql.formatted(rows(2, row))));
        }
    }

    @Test
    void aLongInListOfConstantsFiltersLikeAShortOne() {
        for (Dialect d : Dialect.values()) {
            StringJoiner items = new StringJoiner(", ", "SELECT email FROM customers WHERE id IN (", ")");
            for (int i = 1; i <= 10_000; i++) {
                items.add(parameter(d, i));
            }
            Analysis large = analyse(d, items.toString());
            // Calcite turns 20 items or more into a join with a VALUES list, which read as a join column.
            sameAnalysis(large, analyse(d, "SELECT email FROM customers WHERE id IN (" + parameter(d, 1) + ")"));
            sameAnalysis(analyse(d, "SELECT email FROM customers WHERE id NOT IN (" + rows(25, r -> String.valueOf(r)) + ")"),
                    analyse(d, "SELECT email FROM customers WHERE id NOT IN (7)"));
        }
    }

    @Test
    void calciteIsHandedOneRowAndOneItem() {
        LexicalSettings pg = LexicalSettings.defaults(Dialect.POSTGRESQL);
        String sql = "INSERT INTO orders (id, status) VALUES (NULL, 'a'), ($1, NULL), (3, 'c') "
                + "RETURNING id IN (1, 2, 3), ARRAY[4, 5]";
        assertThat(CalciteText.of(Dialect.POSTGRESQL, pg, sql).sql()).hasValueSatisfying(text -> assertThat(
                text.replaceAll("\\s+", " ")).isEqualTo("INSERT INTO orders (id, status) VALUES ( ? , 'a' ) "
                + "RETURNING id IN (1 ), ARRAY[4 ]"));
        LexicalSettings my = LexicalSettings.defaults(Dialect.MYSQL);
        assertThat(CalciteText.of(Dialect.MYSQL, my, "INSERT INTO t VALUES (1, now()), (2, now())").sql())
                .as("a row calling a function is not a constant").hasValue("INSERT INTO t VALUES (1, now()), (2, now())");
        assertThat(CalciteText.of(Dialect.MYSQL, my, "SELECT 1 FROM t WHERE a IN (b, 2, 3)").sql())
                .as("a column in the list").hasValue("SELECT 1 FROM t WHERE a IN (b, 2, 3)");
    }

    @Test
    void aStatementLongerThanTheTokenLimitFailsClosedNamingIt() {
        StatementAnalyzer small = new StatementAnalyzer(new AnalysisLimits(200, 40, Duration.ofSeconds(30)));
        String wide = "SELECT " + rows(30, c -> "email") + " FROM customers";
        Analysis a = small.analyze(Dialect.POSTGRESQL, catalog(Dialect.POSTGRESQL), names(Dialect.POSTGRESQL), wide);
        assertThat(a.failure()).hasValue("statement longer than Veil analyses (62 tokens once constant VALUES rows "
                + "and IN lists are shortened, limit 40; veil.analysis.max-tokens)");
        assertThat(a.kind()).isEqualTo(StatementKind.READ);
        // Shortened lists count as what Calcite gets: one row.
        String bulk = INSERT + rows(1_000, r -> "(" + r + ", 1, 2, 'x', NULL)");
        assertThat(small.analyze(Dialect.POSTGRESQL, catalog(Dialect.POSTGRESQL), names(Dialect.POSTGRESQL), bulk)
                .failure()).isEmpty();
    }

    @Test
    void anAnalysisOutOfTimeFailsClosedNamingTheLimitAndIsNotCached() {
        StatementAnalyzer hurried = new StatementAnalyzer(new AnalysisLimits(200, 100_000, Duration.ofNanos(1)));
        AnalysisCache cache = new AnalysisCache(hurried, 100);
        String sql = "SELECT email FROM customers WHERE id = 1";
        for (Dialect d : Dialect.values()) {
            Analysis a = cache.analyze(d, catalog(d), names(d), sql);
            assertThat(a.failure()).hasValue("analysis took more CPU time than Veil allows (limit 0 ms; veil.analysis.max-time)");
            assertThat(a.kind()).isEqualTo(StatementKind.READ);
            cache.analyze(d, catalog(d), names(d), sql);
        }
        assertThat(cache.misses()).as("out of time is not remembered: the next run may finish").isEqualTo(4);
        assertThat(cache.size()).isZero();
    }
}
