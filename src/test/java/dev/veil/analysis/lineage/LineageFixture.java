package dev.veil.analysis.lineage;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.RelationAccess;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.StatementKind;
import dev.veil.analysis.catalog.CatalogSnapshot;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sql("SELECT upper(email) FROM customers").column(0).hasOrigin("public.customers.email")}: lineage
 * assertions against the shop catalog, with the whole analysis in every failure message.
 */
final class LineageFixture {
    private static final StatementAnalyzer ANALYZER = new StatementAnalyzer();
    private static final CatalogSnapshot PG = ShopCatalog.postgres();
    private static final CatalogSnapshot MY = ShopCatalog.mysql();

    private LineageFixture() {
    }

    static Statement pg(String sql) {
        return new Statement(ANALYZER.analyze(Dialect.POSTGRESQL, PG, NameResolution.postgres("shop"), sql), sql);
    }

    static Statement my(String sql) {
        return new Statement(ANALYZER.analyze(Dialect.MYSQL, MY, NameResolution.mysql("shop"), sql), sql);
    }

    record Statement(Analysis analysis, String sql) {
        Column column(int index) {
            return new Column(this, index);
        }

        Statement analysed() {
            assertThat(analysis.failure()).as(describe()).isEmpty();
            return this;
        }

        Statement failsClosed() {
            assertThat(analysis.failure()).as(describe()).isPresent();
            assertThat(analysis.lineage(0)).as(describe()).isInstanceOf(Lineage.Unknown.class);
            return this;
        }

        Statement kind(StatementKind kind) {
            assertThat(analysis.kind()).as(describe()).isEqualTo(kind);
            return this;
        }

        Statement columnCount(int n) {
            analysed();
            assertThat(analysis.columns()).as(describe()).hasSize(n);
            return this;
        }

        Statement touches(String qualified, RelationAccess.Action action) {
            assertThat(analysis.relations()).as(describe())
                    .anyMatch(r -> r.qualified().equals(qualified) && r.action() == action);
            return this;
        }

        Statement doesNotTouch(String qualified) {
            assertThat(analysis.relations()).as(describe()).noneMatch(r -> r.qualified().equals(qualified));
            return this;
        }

        Statement uses(ColumnUse.Usage usage, String... columns) {
            Set<String> used = analysis.uses(usage).stream().map(u -> u.column().qualified())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(used).as(describe()).containsAll(Arrays.asList(columns));
            return this;
        }

        Statement writes(String column, String... sourceOrigins) {
            List<WrittenColumn> w = analysis.writes().stream().filter(x -> x.column().qualified().equals(column)).toList();
            assertThat(w).as(describe()).isNotEmpty();
            Set<String> origins = new TreeSet<>();
            w.forEach(x -> origins.addAll(names(x.source())));
            assertThat(origins).as(describe()).containsExactlyInAnyOrderElementsOf(Arrays.asList(sourceOrigins));
            return this;
        }

        String describe() {
            return sql + "\n  => " + analysis;
        }
    }

    record Column(Statement statement, int index) {
        private Lineage lineage() {
            return statement.analysis().lineage(index);
        }

        Column hasOrigin(String qualified) {
            assertThat(names(lineage())).as(statement.describe()).contains(qualified);
            return this;
        }

        Column hasOnlyOrigins(String... qualified) {
            assertThat(names(lineage())).as(statement.describe()).containsExactlyInAnyOrder(qualified);
            return this;
        }

        Column direct() {
            assertThat(lineage()).as(statement.describe()).isInstanceOfSatisfying(Lineage.Known.class,
                    k -> assertThat(k.origins()).allMatch(o -> !o.derived()));
            return this;
        }

        Column derived() {
            assertThat(lineage()).as(statement.describe()).isInstanceOfSatisfying(Lineage.Known.class,
                    k -> assertThat(k.origins()).allMatch(Origin::derived));
            return this;
        }

        Column hasNoOrigin() {
            assertThat(lineage()).as(statement.describe()).isInstanceOf(Lineage.None.class);
            return this;
        }

        Column isUnknown() {
            assertThat(lineage()).as(statement.describe()).isInstanceOf(Lineage.Unknown.class);
            return this;
        }

        Column named(String name) {
            assertThat(statement.analysis().columns().get(index).name()).as(statement.describe()).isEqualTo(name);
            return this;
        }

        Column column(int other) {
            return new Column(statement, other);
        }
    }

    static Set<String> names(Lineage l) {
        return l instanceof Lineage.Known k
                ? k.origins().stream().map(o -> o.column().qualified()).collect(Collectors.toCollection(TreeSet::new))
                : Set.of();
    }
}
