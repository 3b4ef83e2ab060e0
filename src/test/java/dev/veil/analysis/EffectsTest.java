package dev.veil.analysis;

import dev.veil.analysis.Effects.Filter;
import dev.veil.analysis.Effects.Flag;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.text.LexicalSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The facts the guardrails read: row filters proved on the plan, functions, flags, command words, parts. */
class EffectsTest {
    private static final CatalogSnapshot PG = CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop")
            .table("public", "orders", new ColumnInfo("id", "int8", false), new ColumnInfo("note", "text", true),
                    new ColumnInfo("status", "varchar", false))
            .table("public", "customers", new ColumnInfo("id", "int4", false), new ColumnInfo("city", "text", true))
            .build();
    private final AnalysisCache cache = new AnalysisCache(new StatementAnalyzer(), 100);

    private Analysis pg(String sql) {
        return cache.analyze(Dialect.POSTGRESQL, PG, NameResolution.postgres("shop"), sql);
    }

    private Analysis my(String sql) {
        return cache.analyze(Dialect.MYSQL, ShopCatalog.mysql(), NameResolution.mysql("shop"), sql);
    }

    private Filter filter(String sql) {
        Analysis a = pg(sql);
        assertThat(a.failure()).as(sql).isEmpty();
        assertThat(a.effects().rowFilters()).as(sql).hasSize(1);
        return a.effects().rowFilters().get(0).filter();
    }

    @Test
    void aDeleteOrUpdateWithoutWhereChoosesEveryRow() {
        assertThat(filter("DELETE FROM orders")).isEqualTo(Filter.NONE);
        assertThat(filter("UPDATE orders SET status = 'x'")).isEqualTo(Filter.NONE);
        assertThat(pg("DELETE FROM orders").effects().rowFilters().get(0).relation()).isEqualTo("public.orders");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1=1", "'a'='a'", "NOT FALSE", "1 IN (1)", "TRUE", "note IS NOT NULL OR TRUE",
            "id = 5 OR 1 = 0", "id = id", "status = status", "EXISTS (SELECT 1)", "(SELECT count(*) FROM customers) >= 0",
            "id >= 0 OR id < 0", "NOT (id <> id)", "id = id AND 2 > 1", "id IS NOT NULL"})
    void aWhereThatKeepsEveryRowIsNoFilter(String where) {
        assertThat(filter("DELETE FROM orders WHERE " + where)).as(where).isIn(Filter.ALWAYS_TRUE, Filter.NULLS_ONLY);
        assertThat(filter("UPDATE orders SET status = 'x' WHERE " + where)).as(where).isIn(Filter.ALWAYS_TRUE, Filter.NULLS_ONLY);
    }

    @Test
    void aWhereThatOnlyDropsNullsIsNoRealFilter() {
        // note is nullable: note = note is note IS NOT NULL under SQL's null semantics
        assertThat(filter("DELETE FROM orders WHERE note = note")).isEqualTo(Filter.NULLS_ONLY);
        assertThat(filter("DELETE FROM orders WHERE note IS NOT NULL")).isEqualTo(Filter.NULLS_ONLY);
        assertThat(Filter.NULLS_ONLY.unfiltered()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"id = 5", "id = $1", "status = 'open' AND id > 3", "id IN (SELECT id FROM customers WHERE city = 'x')",
            "EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.id)", "note LIKE 'a%'", "id = 5 AND 1 = 1"})
    void aConditionOnTheRowsIsARealFilter(String where) {
        assertThat(filter("DELETE FROM orders WHERE " + where)).as(where).isEqualTo(Filter.REAL);
    }

    @Test
    void aWhereReadingOnlyAnotherTableIsNoFilterOfTheTarget() {
        assertThat(filter("DELETE FROM orders USING customers WHERE customers.id = 1")).isEqualTo(Filter.ALWAYS_TRUE);
        assertThat(filter("DELETE FROM orders USING customers WHERE customers.id = orders.id")).isEqualTo(Filter.REAL);
        assertThat(filter("UPDATE orders SET status = 'x' FROM customers WHERE customers.city = 'b'")).isEqualTo(Filter.ALWAYS_TRUE);
    }

    @Test
    void aVerdictThatDependsOnLiteralsIsNotSharedWithOtherLiterals() {
        // the same fingerprint: literals are normalised; only the second is always true
        assertThat(pg("DELETE FROM orders WHERE id >= 0 OR id < -5").effects().rowFilters().get(0).filter()).isEqualTo(Filter.REAL);
        assertThat(pg("DELETE FROM orders WHERE id >= 0 OR id < 0").effects().rowFilters().get(0).filter()).isNotEqualTo(Filter.REAL);
        assertThat(pg("DELETE FROM orders WHERE id >= 0 OR id < -5").effects().literalSensitive()).isTrue();
        // a plain comparison is a filter whatever its literal: shared
        assertThat(pg("DELETE FROM orders WHERE id = 5").effects().literalSensitive()).isFalse();
        assertThat(cache.cached(LexicalSettings.defaults(Dialect.POSTGRESQL), PG, NameResolution.postgres("shop"),
                "DELETE FROM orders WHERE id >= 0 OR id < 7")).isEmpty();
    }

    @Test
    void writesInsideOtherStatementsAreSeen() {
        Analysis cte = pg("WITH d AS (DELETE FROM orders WHERE 1 = 1 RETURNING id) SELECT count(*) FROM d");
        assertThat(cte.effects().flags()).contains(Flag.DATA_MODIFYING_CTE);
        assertThat(cte.effects().rowFilters()).extracting(Effects.RowFilter::filter).containsExactly(Filter.ALWAYS_TRUE);
        assertThat(cte.kind()).isEqualTo(StatementKind.WRITE);
        Analysis explain = pg("EXPLAIN ANALYZE DELETE FROM orders");
        assertThat(explain.effects().flags()).contains(Flag.EXPLAIN_ANALYZE_WRITE);
        assertThat(explain.effects().rowFilters()).hasSize(1);
        assertThat(pg("EXPLAIN DELETE FROM orders").effects().rowFilters()).isEmpty();
        // MERGE's WHEN MATCHED THEN UPDATE reaches the rows its ON condition matches
        assertThat(pg("MERGE INTO orders o USING customers c ON true WHEN MATCHED THEN UPDATE SET status = 'x'")
                .effects().rowFilters()).extracting(Effects.RowFilter::filter).containsExactly(Filter.ALWAYS_TRUE);
        assertThat(pg("MERGE INTO orders o USING customers c ON o.id = c.id WHEN MATCHED THEN UPDATE SET status = 'x'")
                .effects().rowFilters()).extracting(Effects.RowFilter::filter).containsExactly(Filter.REAL);
        Analysis prepared = pg("PREPARE d AS DELETE FROM orders");
        assertThat(prepared.effects().rowFilters()).extracting(Effects.RowFilter::filter).containsExactly(Filter.NONE);
    }

    @Test
    void functionsFilesAndProgramsAreListed() {
        assertThat(pg("SELECT pg_catalog.pg_read_file('/etc/passwd')").effects().functions()).contains("pg_read_file");
        assertThat(pg("SELECT upper(status) FROM orders").effects().functions()).contains("upper");
        assertThat(pg("COPY orders TO PROGRAM 'curl x'").effects().flags()).contains(Flag.SERVER_PROGRAM);
        assertThat(pg("COPY orders FROM '/tmp/x'").effects().flags()).contains(Flag.SERVER_FILE);
        assertThat(pg("COPY orders TO STDOUT").effects().flags()).isEmpty();
        assertThat(my("SELECT * FROM orders INTO OUTFILE '/tmp/o'").effects().flags()).contains(Flag.SERVER_FILE);
        assertThat(my("LOAD DATA INFILE '/tmp/o' INTO TABLE orders").effects().flags()).contains(Flag.SERVER_FILE);
    }

    @Test
    void commandsKeepTheirWords() {
        assertThat(pg("set transaction /* x */ read   write").effects().command())
                .containsExactly("SET", "TRANSACTION", "READ", "WRITE");
        assertThat(pg("DROP TABLE orders").effects().command()).startsWith("DROP", "TABLE");
        assertThat(pg("SELECT 1").effects().command()).isEmpty();
    }

    @Test
    void mariadbConnectorJsConnectionSetListIsAnalysed() {
        // refused as unanalysed under guardrails before: NAMES after other items of a SET list did not parse
        Analysis a = my("set autocommit=1,sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES'),session_track_schema=1,"
                + "session_track_system_variables = CONCAT(@@global.session_track_system_variables,',auto_increment_increment'),"
                + "names utf8mb4 collate utf8mb4_unicode_ci");
        assertThat(a.failure()).isEmpty();
        assertThat(a.kind()).isEqualTo(StatementKind.SESSION);
        assertThat(my("SET NAMES utf8mb4, autocommit = 1").failure()).isEmpty();
        // what changes the server for everyone stays PRIVILEGE
        assertThat(my("SET autocommit = 1, GLOBAL read_only = 0").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(my("SET @@global.general_log = 1").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(my("SET SESSION sql_log_bin = 0").kind()).isEqualTo(StatementKind.PRIVILEGE);
    }

    @Test
    void eachStatementOfAMultiStatementTextIsAnalysed() {
        Analysis a = pg("SELECT 1; DELETE FROM orders WHERE 1=1");
        assertThat(a.analysed()).isFalse();
        assertThat(a.effects().parts()).hasSize(2);
        assertThat(a.effects().parts().get(1).effects().rowFilters()).extracting(Effects.RowFilter::filter)
                .containsExactly(Filter.ALWAYS_TRUE);
        assertThat(pg("SELECT 1").effects().parts()).isEmpty();
    }

    @Test
    void partsCarryTheirOwnKinds() {
        List<Analysis> parts = pg("COMMIT; DROP TABLE orders").effects().parts();
        assertThat(parts).extracting(Analysis::kind).containsExactly(StatementKind.TRANSACTION_CONTROL, StatementKind.DDL);
    }
}
