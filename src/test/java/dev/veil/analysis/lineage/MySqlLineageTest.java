package dev.veil.analysis.lineage;

import dev.veil.analysis.RelationAccess.Action;
import dev.veil.analysis.StatementKind;
import org.junit.jupiter.api.Test;

import static dev.veil.analysis.lineage.ColumnUse.Usage.FILTER;
import static dev.veil.analysis.lineage.ColumnUse.Usage.GROUP;
import static dev.veil.analysis.lineage.ColumnUse.Usage.JOIN;
import static dev.veil.analysis.lineage.LineageFixture.my;

class MySqlLineageTest {
    private static final String EMAIL = "shop.customers.email";
    private static final String SSN = "shop.customers.ssn";
    private static final String CARD = "shop.customers.card_number";
    private static final String AMOUNT = "shop.orders.amount";

    @Test
    void backtickQuotedNames() {
        my("SELECT `c`.`email` FROM `customers` AS `c`").column(0).hasOnlyOrigins(EMAIL).direct();
    }

    @Test
    void namesMatchIgnoringCase() {
        my("SELECT EMAIL FROM Customers").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void databaseQualifiedName() {
        my("SELECT ssn FROM shop.customers").column(0).hasOnlyOrigins(SSN);
    }

    @Test
    void doubleQuotedStringIsALiteralNotAColumn() {
        my("SELECT email FROM customers WHERE city = \"Paris\"").column(0).hasOnlyOrigins(EMAIL)
                .statement().uses(FILTER, "shop.customers.city");
    }

    @Test
    void concatFunction() {
        my("SELECT CONCAT(full_name, ' ', email) FROM customers").column(0)
                .hasOnlyOrigins("shop.customers.full_name", EMAIL).derived();
    }

    @Test
    void castAsSignedIsACastNotAUserType() {
        my("SELECT CAST(card_number AS SIGNED) FROM customers").column(0).hasOnlyOrigins(CARD).derived();
    }

    @Test
    void jsonArrowOperators() {
        my("SELECT email->'$.a', email->>'$.b' FROM customers").column(0).hasOnlyOrigins(EMAIL)
                .column(1).hasOnlyOrigins(EMAIL);
    }

    @Test
    void regexpIsAFilterUse() {
        my("SELECT id FROM customers WHERE ssn REGEXP '^9'").uses(FILTER, SSN);
    }

    @Test
    void sqlCalcFoundRowsIsNotTakenForAColumn() {
        my("SELECT SQL_CALC_FOUND_ROWS id, email FROM customers LIMIT 10").columnCount(2).column(1).hasOnlyOrigins(EMAIL);
    }

    @Test
    void limitWithOffsetComma() {
        my("SELECT email FROM customers ORDER BY id LIMIT 20, 10").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void systemVariablesHaveNoOrigin() {
        my("SELECT @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client, "
                + "@@max_allowed_packet").columnCount(3).column(0).hasNoOrigin().column(2).hasNoOrigin();
    }

    @Test
    void userVariableMakesEveryColumnUnknown() {
        my("SELECT @leak, email FROM customers").column(0).isUnknown().column(1).isUnknown();
    }

    @Test
    void setUserVariableFromATableReadsIt() {
        my("SET @v = (SELECT ssn FROM customers LIMIT 1)").kind(StatementKind.SESSION)
                .touches("shop.customers", Action.READ);
    }

    @Test
    void groupConcatHasItsArgumentAsOrigin() {
        my("SELECT city, GROUP_CONCAT(email) FROM customers GROUP BY city").uses(GROUP, "shop.customers.city")
                .column(1).hasOrigin(EMAIL);
    }

    @Test
    void joinAndScalarSubQuery() {
        my("SELECT o.amount, (SELECT c.card_number FROM customers c WHERE c.id = o.customer_id) FROM orders o")
                .column(0).hasOnlyOrigins(AMOUNT).column(1).hasOnlyOrigins(CARD);
    }

    @Test
    void viewResolvesToBaseColumns() {
        my("SELECT email FROM customer_contacts").column(0).hasOnlyOrigins(EMAIL);
    }

    @Test
    void derivedTable() {
        my("SELECT t.s FROM (SELECT LOWER(ssn) AS s FROM customers) t").column(0).hasOnlyOrigins(SSN).derived();
    }

    @Test
    void unionAll() {
        my("SELECT email FROM customers UNION ALL SELECT status FROM orders").column(0)
                .hasOnlyOrigins(EMAIL, "shop.orders.status");
    }

    @Test
    void insertIgnoreWritesTheTarget() {
        my("INSERT IGNORE INTO orders (id, customer_id, amount, status, created_at) VALUES (?, ?, ?, ?, NOW())")
                .kind(StatementKind.WRITE).touches("shop.orders", Action.INSERT);
    }

    @Test
    void insertSetForm() {
        my("INSERT INTO orders SET id = 1, customer_id = 2, amount = 3, status = 'x', created_at = NOW()")
                .writes("shop.orders.status");
    }

    @Test
    void onDuplicateKeyUpdateWritesFromInsertedValues() {
        my("INSERT INTO orders (id, customer_id, amount, status, created_at) SELECT id, id, 0, email, NOW() "
                + "FROM customers ON DUPLICATE KEY UPDATE status = VALUES(status)")
                .touches("shop.orders", Action.UPDATE).writes("shop.orders.status", EMAIL);
    }

    @Test
    void replaceIsInsertAndDelete() {
        my("REPLACE INTO orders (id, customer_id, amount, status, created_at) VALUES (1, 2, 3, 'x', NOW())")
                .touches("shop.orders", Action.INSERT).touches("shop.orders", Action.DELETE);
    }

    @Test
    void multiTableUpdate() {
        my("UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.status = c.ssn WHERE c.city = 'x'")
                .writes("shop.orders.status", SSN).uses(JOIN, "shop.customers.id").touches("shop.orders", Action.UPDATE);
    }

    @Test
    void updateWithOrderByAndLimit() {
        my("UPDATE customers SET city = 'x' WHERE id > 10 ORDER BY id LIMIT 5").kind(StatementKind.WRITE)
                .touches("shop.customers", Action.UPDATE);
    }

    @Test
    void multiTableDelete() {
        my("DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.ssn = '1'")
                .touches("shop.orders", Action.DELETE).doesNotTouch("shop.nothing").uses(FILTER, SSN);
    }

    @Test
    void deleteWithLimit() {
        my("DELETE FROM orders WHERE status = 'old' LIMIT 100").touches("shop.orders", Action.DELETE);
    }

    @Test
    void createTableAsSelect() {
        my("CREATE TABLE copy AS SELECT ssn FROM customers").writes("shop.copy.ssn", SSN);
    }

    @Test
    void informationSchemaQueryOfConnectors() {
        my("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()")
                .column(1).hasOnlyOrigins("information_schema.COLUMNS.COLUMN_NAME");
    }

    @Test
    void sessionStatements() {
        my("USE shop").kind(StatementKind.SESSION);
        my("SET NAMES utf8mb4").kind(StatementKind.SESSION);
        my("SET autocommit = 0").kind(StatementKind.SESSION);
        my("SHOW VARIABLES LIKE 'sql_mode'").kind(StatementKind.SESSION).column(0).hasNoOrigin();
        my("START TRANSACTION READ ONLY").kind(StatementKind.TRANSACTION_CONTROL);
    }

    @Test
    void mariadbCompoundStatementIsNotTakenForBegin() {
        my("BEGIN NOT ATOMIC SELECT 1; END").failsClosed();
    }

    @Test
    void selectIntoOutfileIsAWrite() {
        my("SELECT ssn FROM customers WHERE id = 1 INTO DUMPFILE '/tmp/x'").kind(StatementKind.WRITE);
        my("SELECT ssn INTO OUTFILE '/tmp/x' FIELDS TERMINATED BY ',' FROM customers").kind(StatementKind.WRITE);
    }

    @Test
    void selectIntoVariablesChangesTheSession() {
        my("SELECT ssn INTO @s FROM customers WHERE id = 1").kind(StatementKind.SESSION);
    }

    @Test
    void straightJoinIsAnInnerJoin() {
        my("SELECT c.ssn, o.amount FROM customers c STRAIGHT_JOIN orders o ON o.customer_id = c.id")
                .column(0).hasOnlyOrigins("shop.customers.ssn");
    }

    @Test
    void matchAgainstIsAFilterOnItsColumns() {
        my("SELECT id FROM customers WHERE MATCH(full_name, email) AGAINST ('x' IN BOOLEAN MODE)")
                .uses(ColumnUse.Usage.FILTER, "shop.customers.full_name", "shop.customers.email");
    }

    @Test
    void withRollupKeepsTheGroupingColumns() {
        my("SELECT city, COUNT(*) FROM customers GROUP BY city WITH ROLLUP").column(0).hasOrigin("shop.customers.city");
    }

    @Test
    void rowAliasInOnDuplicateKeyReadsTheInsertedRow() {
        my("INSERT INTO customers (email, ssn) SELECT card_number, ssn FROM customers AS new ON DUPLICATE KEY UPDATE email = new.ssn")
                .kind(StatementKind.WRITE);
    }

    @Test
    void userVariableAssignmentInASelectChangesTheSession() {
        my("SELECT @n := @n + 1 AS r, full_name FROM customers").kind(StatementKind.SESSION).column(0).isUnknown();
    }
}
