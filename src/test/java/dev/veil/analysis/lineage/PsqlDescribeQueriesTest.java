package dev.veil.analysis.lineage;

import dev.veil.analysis.RelationAccess;
import dev.veil.analysis.StatementKind;
import org.junit.jupiter.api.Test;

import static dev.veil.analysis.lineage.LineageFixture.pg;

/**
 * The catalog queries psql's \d family sends, in the spellings Calcite does not read as they are: they must be
 * analysed, or every role under the fail-closed guardrail loses psql's \d (the catalog relations themselves come
 * from the server: PgCatalogLoader).
 */
class PsqlDescribeQueriesTest {
    @Test
    void aQualifiedUnnestInFromIsTheBuiltInUnnest() {
        // \d+ customers
        pg("SELECT c.relkind, pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x "
                + "from pg_catalog.unnest(tc.reloptions) x), ', ') FROM pg_catalog.pg_class c "
                + "LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) WHERE c.oid = '16390'")
                .analysed().kind(StatementKind.READ).touches("pg_catalog.pg_class", RelationAccess.Action.READ);
    }

    @Test
    void aSetReturningFunctionWithOrdinalityHasItsOrdinalityColumn() {
        // \d of a table with triggers
        pg("SELECT t.tgname, CASE WHEN t.tgparentid != 0 THEN (SELECT u.tgrelid::pg_catalog.regclass "
                + "FROM pg_catalog.pg_trigger AS u, pg_catalog.pg_partition_ancestors(t.tgrelid) WITH ORDINALITY AS a(relid, depth) "
                + "WHERE u.tgname = t.tgname AND u.tgrelid = a.relid AND u.tgparentid = 0 ORDER BY a.depth LIMIT 1) END AS parent "
                + "FROM pg_catalog.pg_trigger t WHERE t.tgrelid = '16390'")
                .analysed().kind(StatementKind.READ).columnCount(2);
        pg("SELECT g, n FROM generate_series(1, 3) WITH ORDINALITY AS t(g, n)").analysed().columnCount(2);
    }

    @Test
    void aQualifiedSystemColumnIsAConstantLikeAnUnqualifiedOne() {
        // \dd
        pg("SELECT pgc.conname, pgc.tableoid FROM pg_catalog.pg_constraint pgc")
                .analysed().column(1).hasNoOrigin();
    }

    @Test
    void visibilityFunctionsAreConditions() {
        // \dX
        pg("SELECT es.stxname FROM pg_catalog.pg_statistic_ext es WHERE pg_catalog.pg_statistics_obj_is_visible(es.oid)")
                .analysed().column(0).hasOnlyOrigins("pg_catalog.pg_statistic_ext.stxname");
    }

    @Test
    void aStoredColumnStillWinsOverTheSystemColumnReading() {
        pg("SELECT c.ssn FROM customers c").analysed().column(0).hasOnlyOrigins("public.customers.ssn");
    }
}
