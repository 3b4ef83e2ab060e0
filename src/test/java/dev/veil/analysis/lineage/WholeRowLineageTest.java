package dev.veil.analysis.lineage;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import org.junit.jupiter.api.Test;

import static dev.veil.analysis.lineage.ColumnUse.Usage.FILTER;
import static dev.veil.analysis.lineage.ColumnUse.Usage.GROUP;
import static dev.veil.analysis.lineage.ColumnUse.Usage.ORDER;
import static dev.veil.analysis.lineage.LineageFixture.my;
import static dev.veil.analysis.lineage.LineageFixture.names;
import static dev.veil.analysis.lineage.LineageFixture.pg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL whole-row references ({@code c}, {@code c.*} used as a value): the value is derived from every column
 * of the row, through whatever the FROM item is.
 */
class WholeRowLineageTest {
    private static final String[] CUSTOMER = {"public.customers.id", "public.customers.full_name",
            "public.customers.email", "public.customers.phone", "public.customers.ssn", "public.customers.card_number",
            "public.customers.birth_date", "public.customers.city", "public.customers.created_at"};
    private static final String[] ORDER_COLUMNS = {"public.orders.id", "public.orders.customer_id",
            "public.orders.amount", "public.orders.status", "public.orders.created_at"};
    private static final String EMAIL = "public.customers.email";
    private static final String SSN = "public.customers.ssn";

    @Test
    void aTableAliasSelectedIsTheWholeRowNamedAfterIt() {
        pg("SELECT c FROM customers c").columnCount(1).column(0).named("c").hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void aTableNameWithoutAliasIsAWholeRowToo() {
        pg("SELECT customers FROM customers").column(0).named("customers").hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void rowToJsonOfAnAlias() {
        pg("SELECT row_to_json(c) FROM customers c").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void rowToJsonOfAliasStar() {
        pg("SELECT row_to_json(c.*) FROM customers c").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void toJsonAndToJsonbOfTheRow() {
        pg("SELECT to_json(c), to_jsonb(c) FROM customers c").column(0).hasOnlyOrigins(CUSTOMER)
                .column(1).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void jsonAggregatesOfTheRow() {
        pg("SELECT json_agg(c), jsonb_agg(c) FROM customers c").column(0).hasOnlyOrigins(CUSTOMER)
                .column(1).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void arrayAggOfTheRow() {
        pg("SELECT array_agg(c) FROM customers c").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void rowConstructorOfAliasStarCastToText() {
        pg("SELECT ROW(c.*)::text FROM customers c").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void rowConstructorOfSomeColumnsHasOnlyThose() {
        pg("SELECT ROW(c.id, c.ssn)::text, row_to_json(ROW(c.email, 1)) FROM customers c")
                .column(0).hasOnlyOrigins("public.customers.id", SSN).derived()
                .column(1).hasOnlyOrigins(EMAIL).derived();
    }

    @Test
    void rowCastToText() {
        pg("SELECT c::text FROM customers c").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void formatAndConcatenationOfTheRow() {
        pg("SELECT format('%s', c), 'row: ' || c FROM customers c").column(0).hasOnlyOrigins(CUSTOMER)
                .column(1).hasOnlyOrigins(CUSTOMER);
    }

    @Test
    void hstoreOfTheRow() {
        pg("SELECT hstore(c) FROM customers c").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void stringAggOfTheRowAsText() {
        pg("SELECT string_agg(c::text, ',') FROM customers c").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void jsonbBuildObjectHoldingTheRow() {
        pg("SELECT jsonb_build_object('row', c, 'n', 1) FROM customers c").column(0).hasOnlyOrigins(CUSTOMER);
    }

    @Test
    void countOfAliasStarIsTracedNotRefused() {
        pg("SELECT count(c.*) FROM customers c").analysed();
    }

    @Test
    void aSubQueryRowHasTheSubQueryColumnsOrigins() {
        pg("SELECT t FROM (SELECT id, upper(email) FROM customers) t").column(0)
                .hasOnlyOrigins("public.customers.id", EMAIL).derived();
    }

    @Test
    void aSubQueryOfStarRowHasEveryColumn() {
        pg("SELECT t FROM (SELECT * FROM customers) t").column(0).hasOnlyOrigins(CUSTOMER).derived();
    }

    @Test
    void aColumnOfTheSameNameWinsOverTheRow() {
        // As in PostgreSQL: t is the sub-query's column t (email), not its row.
        pg("SELECT t FROM (SELECT email AS t FROM customers) t").column(0).hasOnlyOrigins(EMAIL).direct();
    }

    @Test
    void aCteRow() {
        pg("WITH w AS (SELECT email, ssn FROM customers) SELECT w FROM w").column(0).hasOnlyOrigins(EMAIL, SSN);
    }

    @Test
    void aViewRowReachesTheBaseColumns() {
        pg("SELECT v FROM customer_contacts v").column(0)
                .hasOnlyOrigins("public.customers.id", "public.customers.full_name", EMAIL).derived();
    }

    @Test
    void aViewDefinedWithAWholeRowReference() {
        CatalogSnapshot catalog = CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop")
                .table("public", "customers", new ColumnInfo("id", "int4", false),
                        new ColumnInfo("ssn", "varchar", false))
                .view("public", "as_json", "SELECT row_to_json(c) AS doc FROM customers c;",
                        new ColumnInfo("doc", "json", true))
                .build();
        Analysis a = new StatementAnalyzer().analyze(Dialect.POSTGRESQL, catalog, NameResolution.postgres("shop"),
                "SELECT doc FROM as_json");
        assertThat(a.failure()).isEmpty();
        assertThat(names(a.lineage(0))).containsExactlyInAnyOrder("public.customers.id", SSN);
    }

    @Test
    void aRowReferencedFromALateralSubQuery() {
        pg("SELECT l.doc FROM customers c, LATERAL (SELECT row_to_json(c) AS doc) l").column(0)
                .hasOnlyOrigins(CUSTOMER);
    }

    @Test
    void aLateralSubQueryRow() {
        pg("SELECT l FROM customers c, LATERAL (SELECT c.ssn) l").column(0).hasOnlyOrigins(SSN);
    }

    @Test
    void eachUnionBranchBringsItsRow() {
        pg("SELECT c::text FROM customers c UNION ALL SELECT o::text FROM orders o").column(0)
                .hasOrigin(SSN).hasOrigin("public.orders.amount");
    }

    @Test
    void aCorrelatedRowInAScalarSubQuery() {
        pg("SELECT (SELECT row_to_json(c) FROM customers c WHERE c.id = o.customer_id) FROM orders o").column(0)
                .hasOrigin(SSN).hasOrigin("public.customers.card_number");
    }

    @Test
    void anOuterRowInsideASubQuery() {
        pg("SELECT (SELECT json_agg(o) FROM orders o WHERE o.customer_id = c.id) AS orders FROM customers c")
                .column(0).hasOrigin("public.orders.amount").hasOrigin("public.orders.status");
    }

    @Test
    void aggregatingARowOfARowKeepsEveryColumn() {
        pg("SELECT json_agg(t) FROM (SELECT c FROM customers c) t").column(0).hasOnlyOrigins(CUSTOMER);
    }

    @Test
    void aRowInWhereIsAFilterOnEveryColumn() {
        pg("SELECT id FROM customers c WHERE c::text LIKE '%123%'").uses(FILTER, CUSTOMER);
    }

    @Test
    void rowIsNotNullIsARealCondition() {
        // PostgreSQL: true only when no column is NULL, so it depends on every column.
        pg("SELECT id FROM customers WHERE customers IS NOT NULL").uses(FILTER, CUSTOMER);
    }

    @Test
    void orderByTheRowOrdersByEveryColumn() {
        pg("SELECT id FROM orders o ORDER BY o").uses(ORDER, ORDER_COLUMNS);
    }

    @Test
    void orderByAnOutputColumnOfTheAliasName() {
        // ORDER BY c sorts by the output column c (email), not by the row c.
        var s = pg("SELECT email AS c FROM customers c ORDER BY c").uses(ORDER, EMAIL);
        assertThat(s.analysis().uses(ORDER)).hasSize(1);
    }

    @Test
    void groupByAnOutputColumnOfTheAliasName() {
        var s = pg("SELECT upper(email) AS c, count(*) FROM customers c GROUP BY c").uses(GROUP, EMAIL);
        assertThat(s.analysis().uses(GROUP)).hasSize(1);
    }

    @Test
    void groupByTheRow() {
        pg("SELECT c, count(*) FROM customers c GROUP BY c").uses(GROUP, CUSTOMER).column(0)
                .hasOnlyOrigins(CUSTOMER);
    }

    @Test
    void createTableAsFromARowWritesEveryColumn() {
        pg("CREATE TABLE dump AS SELECT row_to_json(c) AS doc FROM customers c").writes("public.dump.doc", CUSTOMER);
    }

    @Test
    void insertSelectOfARowWritesEveryColumn() {
        pg("INSERT INTO orders (status) SELECT c::text FROM customers c").writes("public.orders.status", CUSTOMER);
    }

    @Test
    void copyOfARow() {
        pg("COPY (SELECT row_to_json(c) FROM customers c) TO STDOUT").column(0).hasOnlyOrigins(CUSTOMER);
    }

    @Test
    void updateSetFromARow() {
        pg("UPDATE orders o SET status = c::text FROM customers c WHERE c.id = o.customer_id")
                .writes("public.orders.status", CUSTOMER);
    }

    @Test
    void anUnknownNameStillFailsClosed() {
        pg("SELECT row_to_json(nope) FROM customers c").failsClosed();
    }

    @Test
    void mysqlHasNoWholeRowReferences() {
        // MySQL refuses them itself ("Unknown column 'c'"); the analysis does not invent a meaning.
        my("SELECT c FROM customers c").failsClosed();
    }
}
