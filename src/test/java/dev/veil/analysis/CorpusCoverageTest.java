package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.OutputColumn;
import dev.veil.analysis.text.Corpus;
import dev.veil.analysis.text.DangerOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the whole statement corpus through the analyzer, prints coverage per category, and fails on any fail-open
 * result:
 * <ul>
 *   <li>a kind less dangerous (see {@link DangerOrder}) than the corpus says, analysed or not;</li>
 *   <li>an analysed statement that mentions a sensitive column but whose analysis shows it nowhere (no output
 *       origin, no written source, no filter / join / grouping use) while reporting no Unknown column: its
 *       lineage would read "no origin" for data that comes from that column.</li>
 * </ul>
 * Coverage must not fall below the floors measured when this test was written.
 */
class CorpusCoverageTest {
    private static final Set<String> SENSITIVE = Set.of("ssn", "card_number", "email", "phone", "birth_date", "full_name");
    /** Measured floors (analysed share), so coverage cannot silently regress. */
    private static final Map<Dialect, Double> FLOOR = Map.of(Dialect.POSTGRESQL, 0.970, Dialect.MYSQL, 0.973);

    private final StatementAnalyzer analyzer = new StatementAnalyzer();

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void corpusIsAnalysedWithoutFailingOpen(Dialect dialect) {
        CatalogSnapshot catalog = CorpusCatalog.of(dialect);
        NameResolution names = dialect == Dialect.POSTGRESQL ? NameResolution.postgres("shop") : NameResolution.mysql("shop");
        Map<String, int[]> perCategory = new TreeMap<>();
        List<String> failOpen = new ArrayList<>();
        List<String> notAnalysed = new ArrayList<>();
        int total = 0;
        int analysed = 0;
        for (Corpus.Entry e : Corpus.load(dialect)) {
            Analysis a = analyzer.analyze(dialect, catalog, names, e.sql());
            int[] counts = perCategory.computeIfAbsent(e.category(), k -> new int[3]);
            counts[0]++;
            total++;
            if (a.analysed()) {
                counts[1]++;
                analysed++;
            } else {
                notAnalysed.add(e + "\n      " + a.failure().orElseThrow());
            }
            String open = failOpen(e, a);
            if (open != null) {
                counts[2]++;
                failOpen.add(e + "\n      " + open + "\n      " + a);
            }
        }
        StringBuilder table = new StringBuilder("\n" + dialect + " corpus coverage\n");
        table.append(String.format(Locale.ROOT, "%-18s %6s %9s %8s %10s%n", "category", "total", "analysed", "share", "fail-open"));
        perCategory.forEach((category, c) -> table.append(String.format(Locale.ROOT, "%-18s %6d %9d %7.1f%% %10d%n",
                category, c[0], c[1], 100.0 * c[1] / c[0], c[2])));
        table.append(String.format(Locale.ROOT, "%-18s %6d %9d %7.1f%% %10d%n", "TOTAL", total, analysed,
                100.0 * analysed / total, failOpen.size()));
        System.out.println(table);
        notAnalysed.forEach(s -> System.out.println("  not analysed: " + s));
        failOpen.forEach(s -> System.out.println("  FAIL-OPEN: " + s));

        assertThat(failOpen).as("fail-open analyses").isEmpty();
        assertThat((double) analysed / total).as("analysed share").isGreaterThanOrEqualTo(FLOOR.get(dialect));
    }

    private static String failOpen(Corpus.Entry e, Analysis a) {
        if (DangerOrder.COMPARATOR.compare(e.expectedKind(), a.kind()) > 0) {
            return "kind " + a.kind() + " is less dangerous than the expected " + e.expectedKind();
        }
        if (!a.analysed() || a.columns().stream().anyMatch(c -> c.lineage() instanceof Lineage.Unknown)) {
            return null;
        }
        for (String column : SENSITIVE) {
            if (Pattern.compile("(?i)(?<![a-z_])" + column + "(?![a-z_])").matcher(e.sql()).find() && !shows(a, column)) {
                return "mentions " + column + " but the analysis shows it nowhere";
            }
        }
        return null;
    }

    private static boolean shows(Analysis a, String column) {
        for (OutputColumn c : a.columns()) {
            if (c.lineage() instanceof Lineage.Known k && k.origins().stream().anyMatch(o -> o.column().column().equalsIgnoreCase(column))) {
                return true;
            }
        }
        boolean written = a.writes().stream().anyMatch(w -> w.column().column().equalsIgnoreCase(column)
                || w.source() instanceof Lineage.Known k && k.columns().stream().anyMatch(r -> r.column().equalsIgnoreCase(column)));
        boolean used = a.uses().stream().anyMatch(u -> u.column().column().equalsIgnoreCase(column));
        // Statements that return no rows and write nothing (DDL naming a column, SET, transaction control).
        boolean noData = a.columns().isEmpty() && a.writes().isEmpty();
        return written || used || noData;
    }
}
