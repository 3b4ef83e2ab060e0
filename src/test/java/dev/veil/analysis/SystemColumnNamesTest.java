package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.lineage.Lineage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL system column names (ctid, xmin, …) read as constants only where they cannot name stored data. */
class SystemColumnNamesTest {
    private final StatementAnalyzer analyzer = new StatementAnalyzer();

    @Test
    void aViewColumnCalledXminKeepsItsLineage() {
        CatalogSnapshot catalog = CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop")
                .table("public", "customers", new ColumnInfo("id", "int4", false), new ColumnInfo("ssn", "varchar", false))
                .view("public", "v", "SELECT ssn AS xmin FROM customers", new ColumnInfo("xmin", "varchar", false))
                .build();
        Analysis a = analyzer.analyze(Dialect.POSTGRESQL, catalog, NameResolution.postgres("shop"), "SELECT xmin FROM v");
        assertThat(a.columns()).singleElement().satisfies(c -> assertThat(c.lineage())
                .isInstanceOfSatisfying(Lineage.Known.class, k -> assertThat(k.columns().toString()).contains("ssn")));
    }

    @Test
    void anOutputAliasCalledXminIsNotAConstant() {
        Analysis a = analyzer.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"),
                "SELECT ssn AS xmin FROM customers ORDER BY xmin");
        assertThat(a.uses().toString()).contains("ssn");
    }

    @Test
    void ctidOfATableIsAConstant() {
        Analysis a = analyzer.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"),
                "SELECT ctid FROM customers");
        assertThat(a.analysed()).isTrue();
        assertThat(a.columns()).singleElement().satisfies(c -> assertThat(c.lineage()).isEqualTo(Lineage.NONE));
    }
}
