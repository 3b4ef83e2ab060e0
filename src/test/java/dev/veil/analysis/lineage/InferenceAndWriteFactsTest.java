package dev.veil.analysis.lineage;

import dev.veil.analysis.Effects;
import dev.veil.analysis.RelationAccess;
import org.junit.jupiter.api.Test;

import static dev.veil.analysis.lineage.ColumnUse.Usage.DISTINCT;
import static dev.veil.analysis.lineage.ColumnUse.Usage.FILTER;
import static dev.veil.analysis.lineage.ColumnUse.Usage.GROUP;
import static dev.veil.analysis.lineage.ColumnUse.Usage.HAVING;
import static dev.veil.analysis.lineage.ColumnUse.Usage.INEQUALITY;
import static dev.veil.analysis.lineage.ColumnUse.Usage.JOIN;
import static dev.veil.analysis.lineage.ColumnUse.Usage.ORDER;
import static dev.veil.analysis.lineage.ColumnUse.Usage.WINDOW;
import static dev.veil.analysis.lineage.LineageFixture.my;
import static dev.veil.analysis.lineage.LineageFixture.pg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The facts inference control and the write-path checks read (issue 15, items 5 and 6): which base columns a
 * statement compares, groups, sorts or deduplicates on, and which flow into something it writes.
 */
class InferenceAndWriteFactsTest {
    private static final String EMAIL = "public.customers.email";
    private static final String SSN = "public.customers.ssn";
    private static final String CITY = "public.customers.city";
    private static final String MY_EMAIL = "shop.customers.email";
    private static final String MY_SSN = "shop.customers.ssn";
    private static final String MY_CITY = "shop.customers.city";

    // ---- uses -------------------------------------------------------------------------------------------------

    @Test
    void distinctIsReportedAsDistinctAndGroup() {
        pg("SELECT DISTINCT email FROM customers").uses(DISTINCT, EMAIL).uses(GROUP, EMAIL);
    }

    @Test
    void distinctMysql() {
        my("SELECT DISTINCT email FROM customers").uses(DISTINCT, MY_EMAIL).uses(GROUP, MY_EMAIL);
    }

    @Test
    void distinctOnIsDistinct() {
        pg("SELECT DISTINCT ON (ssn) id FROM customers").uses(DISTINCT, SSN).uses(GROUP, SSN);
    }

    @Test
    void groupByWithAggregatesIsNotDistinct() {
        var s = pg("SELECT city, count(*) FROM customers GROUP BY city").uses(GROUP, CITY);
        assertThat(s.analysis().uses(DISTINCT)).isEmpty();
    }

    @Test
    void havingIsHavingAndFilter() {
        var s = pg("SELECT city FROM customers GROUP BY city HAVING max(ssn) > '5'").uses(HAVING, SSN)
                .uses(FILTER, SSN);
        assertThat(s.analysis().uses(HAVING)).extracting(u -> u.column().qualified()).containsExactly(SSN);
    }

    @Test
    void havingMysql() {
        my("SELECT city FROM customers GROUP BY city HAVING COUNT(DISTINCT ssn) > 1").uses(HAVING, MY_SSN)
                .uses(GROUP, MY_CITY);
    }

    @Test
    void whereIsAFilterAndNotHaving() {
        var s = pg("SELECT id FROM customers WHERE ssn LIKE '1%'").uses(FILTER, SSN);
        assertThat(s.analysis().uses(HAVING)).isEmpty();
    }

    @Test
    void aComparisonOtherThanEqualityIsAnInequalityUse() {
        pg("SELECT id FROM customers WHERE ssn LIKE '1%'").uses(INEQUALITY, SSN);
        pg("SELECT id FROM customers WHERE ssn > '5' AND city = 'Oslo'").uses(INEQUALITY, SSN);
        pg("SELECT id FROM customers WHERE substr(ssn, 1, 1) = '1'").uses(INEQUALITY, SSN);
        pg("SELECT id FROM (SELECT id, substr(ssn, 1, 1) AS s FROM customers) x WHERE s = '1'").uses(INEQUALITY, SSN);
        pg("SELECT o.id FROM orders o JOIN customers c ON c.email LIKE o.status").uses(INEQUALITY, EMAIL);
        my("SELECT id FROM customers WHERE ssn LIKE '1%'").uses(INEQUALITY, MY_SSN);
    }

    @Test
    void equalityInAListAndNullTestsAreNoInequalityUse() {
        for (String sql : new String[] {"SELECT id FROM customers WHERE ssn = '123-45-6789'",
                "SELECT id FROM customers WHERE ssn IN ('1', '2') OR ssn IS NULL", "SELECT id FROM customers WHERE ssn <> '1'",
                "SELECT o.id FROM orders o JOIN customers c ON c.email = o.status"}) {
            assertThat(pg(sql).analysis().uses(INEQUALITY)).as(sql).isEmpty();
        }
        assertThat(my("SELECT id FROM customers WHERE ssn = '1'").analysis().uses(INEQUALITY)).isEmpty();
    }

    @Test
    void whereMysql() {
        my("SELECT id FROM customers WHERE ssn LIKE '1%'").uses(FILTER, MY_SSN);
    }

    @Test
    void joinKeys() {
        pg("SELECT o.id FROM orders o JOIN customers c ON c.email = o.status").uses(JOIN, EMAIL, "public.orders.status");
    }

    @Test
    void joinKeysMysql() {
        my("SELECT o.id FROM orders o JOIN customers c ON c.email = o.status").uses(JOIN, MY_EMAIL, "shop.orders.status");
    }

    @Test
    void orderBy() {
        pg("SELECT id FROM customers ORDER BY ssn DESC").uses(ORDER, SSN);
    }

    @Test
    void orderByMysql() {
        my("SELECT id FROM customers ORDER BY ssn DESC LIMIT 1").uses(ORDER, MY_SSN);
    }

    @Test
    void anAggregatesOwnOrderByIsAnOrderUse() {
        pg("SELECT string_agg(city, ',' ORDER BY ssn) FROM customers").uses(ORDER, SSN).column(0)
                .hasOnlyOrigins(CITY);
    }

    @Test
    void windowKeys() {
        pg("SELECT id, row_number() OVER (PARTITION BY email ORDER BY ssn) FROM customers").uses(WINDOW, EMAIL, SSN);
    }

    @Test
    void windowKeysMysql() {
        my("SELECT id, ROW_NUMBER() OVER (PARTITION BY email ORDER BY ssn) FROM customers")
                .uses(WINDOW, MY_EMAIL, MY_SSN);
    }

    @Test
    void intersectComparesEveryColumn() {
        pg("SELECT ssn FROM customers INTERSECT SELECT '123-45-6789'").uses(FILTER, SSN);
    }

    @Test
    void exceptComparesEveryColumn() {
        pg("SELECT id FROM customers EXCEPT SELECT id FROM customers WHERE email LIKE 'a%'")
                .uses(FILTER, "public.customers.id").uses(FILTER, EMAIL);
    }

    @Test
    void unionWithoutAllDeduplicates() {
        pg("SELECT email FROM customers UNION SELECT ssn FROM customers").uses(DISTINCT, EMAIL, SSN);
    }

    @Test
    void unionAllDoesNotDeduplicate() {
        assertThat(pg("SELECT email FROM customers UNION ALL SELECT ssn FROM customers").analysis().uses(DISTINCT))
                .isEmpty();
    }

    @Test
    void anAggregateFilterIsAFilter() {
        pg("SELECT count(*) FILTER (WHERE ssn LIKE '9%') FROM customers").uses(FILTER, SSN);
    }

    @Test
    void aFilterInsideASubQuery() {
        pg("SELECT email FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE status = 'x')")
                .uses(FILTER, "public.orders.status");
    }

    // ---- writes -----------------------------------------------------------------------------------------------

    @Test
    void insertSelectCarriesTheDerivedSource() {
        pg("INSERT INTO orders (status) SELECT upper(ssn) FROM customers").writes("public.orders.status", SSN);
    }

    @Test
    void insertSelectMysql() {
        my("INSERT INTO orders (status) SELECT CONCAT(ssn, '') FROM customers").writes("shop.orders.status", MY_SSN);
    }

    @Test
    void createTableAs() {
        pg("CREATE TABLE leak AS SELECT email AS e FROM customers").writes("public.leak.e", EMAIL);
    }

    @Test
    void createTableAsMysql() {
        my("CREATE TABLE leak AS SELECT email AS e FROM customers").writes("shop.leak.e", MY_EMAIL);
    }

    @Test
    void createTableSelectWithoutAsMysql() {
        my("CREATE TABLE leak SELECT ssn FROM customers").writes("shop.leak.ssn", MY_SSN);
    }

    @Test
    void createTableWithColumnsAndASelectMysql() {
        my("CREATE TABLE leak (id INT) IGNORE SELECT id, ssn FROM customers").writes("shop.leak.ssn", MY_SSN)
                .touches("shop.leak", RelationAccess.Action.CREATE)
                .touches("shop.customers", RelationAccess.Action.READ);
    }

    @Test
    void createTableWithStorageOptionsAsSelect() {
        pg("CREATE TABLE leak WITH (fillfactor = 70) AS SELECT ssn FROM customers").writes("public.leak.ssn", SSN);
    }

    @Test
    void selectInto() {
        pg("SELECT ssn AS s INTO leak FROM customers").writes("public.leak.s", SSN);
    }

    @Test
    void updateSetFromAColumn() {
        pg("UPDATE customers SET city = ssn").writes("public.customers.city", SSN);
    }

    @Test
    void updateSetFromAColumnMysql() {
        my("UPDATE customers SET city = ssn").writes("shop.customers.city", MY_SSN);
    }

    @Test
    void updateSetFromASubQuery() {
        pg("UPDATE orders o SET status = (SELECT c.email FROM customers c WHERE c.id = o.customer_id)")
                .writes("public.orders.status", EMAIL);
    }

    @Test
    void updateJoinMysql() {
        my("UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.status = c.email")
                .writes("shop.orders.status", MY_EMAIL);
    }

    @Test
    void copyQueryToAServerFileIsOutputAndAFileWrite() {
        var s = pg("COPY (SELECT ssn FROM customers) TO '/tmp/leak.csv'");
        s.column(0).hasOnlyOrigins(SSN);
        assertThat(s.analysis().effects().flags()).contains(Effects.Flag.SERVER_FILE);
    }

    @Test
    void copyQueryToTheClientIsOutput() {
        pg("COPY (SELECT upper(email) FROM customers) TO STDOUT").column(0).hasOnlyOrigins(EMAIL).derived();
    }

    @Test
    void selectIntoOutfileMysqlIsOutputAndAFileWrite() {
        var s = my("SELECT ssn FROM customers INTO OUTFILE '/tmp/leak.csv'");
        s.column(0).hasOnlyOrigins(MY_SSN);
        assertThat(s.analysis().effects().flags()).contains(Effects.Flag.SERVER_FILE);
    }
}
