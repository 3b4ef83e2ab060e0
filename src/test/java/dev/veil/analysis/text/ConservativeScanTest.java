package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.StatementKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConservativeScanTest {

    static ScanResult pg(String sql) {
        return ConservativeScan.scan(SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize(sql));
    }

    static ScanResult my(String sql) {
        return ConservativeScan.scan(SqlTokenizer.forDialect(Dialect.MYSQL).tokenize(sql));
    }

    @Test
    void aWriteInsideACteMakesTheStatementAWrite() {
        ScanResult r = pg("WITH gone AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM gone");
        assertThat(r.kind()).isEqualTo(StatementKind.WRITE);
        assertThat(r.flags()).contains(ScanFlag.NESTED_WRITE, ScanFlag.WRITE_WITHOUT_WHERE);
        assertThat(r.relations()).contains(new RelationRef(List.of("orders"), RelationAccess.WRITE));
    }

    @Test
    void theStatementAfterTheCteListDecidesTheKindEvenAfterSearchClauses() {
        assertThat(pg("WITH x AS (SELECT 1) UPDATE customers SET city = 'a' WHERE id = 1").kind())
                .isEqualTo(StatementKind.WRITE);
        assertThat(pg("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) "
                + "SEARCH DEPTH FIRST BY n SET o SELECT * FROM t").kind()).isEqualTo(StatementKind.READ);
        assertThat(pg("WITH x AS (SELECT 1) SELECT * FROM x FOR UPDATE").kind()).isEqualTo(StatementKind.READ);
    }

    @Test
    void selectIntoCreatesATableInPostgresAndWritesAFileInMysql() {
        assertThat(pg("SELECT * INTO TEMP copy_of FROM customers").kind()).isEqualTo(StatementKind.DDL);
        ScanResult outfile = my("SELECT * FROM customers INTO OUTFILE '/tmp/x'");
        assertThat(outfile.kind()).isEqualTo(StatementKind.WRITE);
        assertThat(outfile.flags()).contains(ScanFlag.INTO_OUTFILE, ScanFlag.SERVER_FILE_ACCESS);
        assertThat(my("SELECT ssn INTO DUMPFILE '/tmp/y' FROM customers LIMIT 1").flags()).contains(ScanFlag.INTO_DUMPFILE);
        assertThat(my("SELECT email INTO @e FROM customers LIMIT 1").kind()).isEqualTo(StatementKind.SESSION);
        assertThat(pg("INSERT INTO t SELECT * FROM s").flags()).doesNotContain(ScanFlag.SELECT_INTO);
    }

    @Test
    void copyDirectionAndProgramDecideTheKind() {
        assertThat(pg("COPY customers TO STDOUT").kind()).isEqualTo(StatementKind.READ);
        assertThat(pg("COPY customers FROM STDIN").kind()).isEqualTo(StatementKind.WRITE);
        assertThat(pg("COPY customers TO '/tmp/c.csv'").flags()).contains(ScanFlag.SERVER_FILE_ACCESS);
        ScanResult program = pg("COPY (SELECT * FROM customers) TO PROGRAM 'nc evil 1'");
        assertThat(program.kind()).isEqualTo(StatementKind.PROCEDURAL);
        assertThat(program.flags()).contains(ScanFlag.PROGRAM_EXECUTION);
        assertThat(pg("COPY (DELETE FROM orders RETURNING *) TO STDOUT").kind()).isEqualTo(StatementKind.WRITE);
    }

    @Test
    void onlyAWhereAtTheStatementsOwnLevelCounts() {
        ScanResult sub = pg("UPDATE customers SET city = (SELECT city FROM orders WHERE id = 1)");
        assertThat(sub.hasTopLevelWhere()).isFalse();
        assertThat(sub.flags()).contains(ScanFlag.WRITE_WITHOUT_WHERE);
        ScanResult own = pg("DELETE FROM orders WHERE id IN (SELECT id FROM orders)");
        assertThat(own.hasTopLevelWhere()).isTrue();
        assertThat(own.flags()).doesNotContain(ScanFlag.WRITE_WITHOUT_WHERE);
        assertThat(my("DELETE FROM orders ORDER BY id LIMIT 10").flags()).contains(ScanFlag.WRITE_WITHOUT_WHERE);
        assertThat(pg("WITH s AS (SELECT 1) DELETE FROM orders WHERE id = 1").hasTopLevelWhere()).isTrue();
        assertThat(pg("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = 1").flags())
                .doesNotContain(ScanFlag.WRITE_WITHOUT_WHERE);
    }

    @Test
    void relationsKeepQualifiedNamesAndTheServersCaseRules() {
        assertThat(pg("SELECT * FROM \"Shop\".Customers c JOIN public.\"Orders\" o ON true").relations())
                .extracting(RelationRef::name).containsExactly("Shop.customers", "public.Orders");
        assertThat(my("SELECT * FROM `Shop`.Customers, orders o").relations())
                .extracting(RelationRef::name).containsExactly("Shop.Customers", "orders");
    }

    @Test
    void relationAccessFollowsTheirRoleInTheStatement() {
        assertThat(pg("INSERT INTO archive (id) SELECT id FROM orders").relations()).containsExactly(
                new RelationRef(List.of("archive"), RelationAccess.WRITE),
                new RelationRef(List.of("orders"), RelationAccess.READ));
        assertThat(pg("UPDATE orders o SET status = 'x' FROM customers c WHERE c.id = o.customer_id").relations())
                .extracting(r -> r.name() + ":" + r.access()).containsExactly("orders:WRITE", "customers:READ");
        assertThat(pg("DELETE FROM orders USING customers WHERE true").relations())
                .extracting(r -> r.name() + ":" + r.access()).containsExactly("orders:WRITE", "customers:READ");
        assertThat(my("UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.status = 'x' WHERE 1").relations())
                .extracting(r -> r.name() + ":" + r.access()).containsExactly("orders:WRITE", "customers:WRITE");
        assertThat(pg("DROP TABLE IF EXISTS a, b").relations()).extracting(r -> r.name() + ":" + r.access())
                .containsExactly("a:DEFINE", "b:DEFINE");
        assertThat(my("GRANT SELECT ON shop.* TO 'a'@'%'").relations()).extracting(RelationRef::name).containsExactly("shop.*");
    }

    @Test
    void functionsInFromAndExtractFromAreNotRelations() {
        ScanResult r = pg("SELECT extract(year FROM created_at), substring(x FROM 2) FROM generate_series(1, 3) g, t");
        assertThat(r.relations()).extracting(RelationRef::name).containsExactly("t");
        assertThat(r.flags()).contains(ScanFlag.TABLE_FUNCTION);
        assertThat(pg("SELECT a FROM t WHERE a IS DISTINCT FROM b").relations()).extracting(RelationRef::name)
                .containsExactly("t");
    }

    @Test
    void severalStatementsCombineToTheMostDangerous() {
        ScanResult r = pg("SELECT 1; DROP TABLE customers; SELECT 2");
        assertThat(r.kind()).isEqualTo(StatementKind.DDL);
        assertThat(r.statementCount()).isEqualTo(3);
        assertThat(r.flags()).contains(ScanFlag.MULTIPLE_STATEMENTS);
        assertThat(r.relations()).extracting(RelationRef::name).containsExactly("customers");
    }

    @Test
    void backslashSmugglingIsCaughtWhenTheSessionDisablesBackslashEscapes() {
        String sql = "SELECT * FROM customers WHERE name = 'x\\'; DROP TABLE customers; -- '";
        assertThat(my(sql).kind()).isEqualTo(StatementKind.READ);
        Tokens noEscapes = new SqlTokenizer(LexicalSettings.defaults(Dialect.MYSQL).withBackslashEscapes(false))
                .tokenize(sql);
        ScanResult r = ConservativeScan.scan(noEscapes);
        assertThat(r.kind()).isEqualTo(StatementKind.DDL);
        assertThat(r.flags()).contains(ScanFlag.MULTIPLE_STATEMENTS);
    }

    @Test
    void dynamicSqlIsProceduralAndFlagged() {
        for (ScanResult r : new ScanResult[]{pg("DO $$ BEGIN DELETE FROM t; END $$"), pg("CALL p(1)"),
                pg("EXECUTE plan1(1)"), my("PREPARE s FROM @sql"), my("EXECUTE s USING @a"),
                my("EXECUTE IMMEDIATE 'DROP TABLE t'")}) {
            assertThat(r.kind()).isEqualTo(StatementKind.PROCEDURAL);
            assertThat(r.flags()).contains(ScanFlag.DYNAMIC_SQL);
        }
        assertThat(pg("PREPARE p (int) AS DELETE FROM t WHERE id = $1").kind()).isEqualTo(StatementKind.WRITE);
    }

    @Test
    void variablesAndServerWideSettingsAreFlagged() {
        assertThat(my("SELECT @@session.auto_increment_increment, @x").flags())
                .contains(ScanFlag.SYSTEM_VARIABLE, ScanFlag.USER_VARIABLE);
        ScanResult global = my("SET GLOBAL general_log = 1");
        assertThat(global.kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(global.flags()).contains(ScanFlag.GLOBAL_SETTING);
        assertThat(my("SET @@persist.max_connections = 10").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(my("SET NAMES utf8mb4").kind()).isEqualTo(StatementKind.SESSION);
        assertThat(pg("SET ROLE admin").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(pg("SET search_path = x").kind()).isEqualTo(StatementKind.SESSION);
        assertThat(pg("ALTER SYSTEM SET work_mem = '1GB'").flags()).contains(ScanFlag.GLOBAL_SETTING);
    }

    @Test
    void loadDataLocalIsAWriteWithItsOwnFlag() {
        ScanResult r = my("LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE customers");
        assertThat(r.kind()).isEqualTo(StatementKind.WRITE);
        assertThat(r.flags()).contains(ScanFlag.LOAD_DATA, ScanFlag.LOAD_DATA_LOCAL);
        assertThat(r.relations()).extracting(r2 -> r2.name() + ":" + r2.access()).containsExactly("customers:WRITE");
        assertThat(my("LOAD DATA INFILE '/etc/x' INTO TABLE t").flags()).contains(ScanFlag.SERVER_FILE_ACCESS);
    }

    @Test
    void explainRunsTheStatementOnlyWithAnalyze() {
        assertThat(pg("EXPLAIN DELETE FROM orders").kind()).isEqualTo(StatementKind.READ);
        assertThat(pg("EXPLAIN ANALYZE DELETE FROM orders").kind()).isEqualTo(StatementKind.WRITE);
        assertThat(pg("EXPLAIN (FORMAT JSON, ANALYZE) UPDATE t SET a = 1").kind()).isEqualTo(StatementKind.WRITE);
        assertThat(pg("EXPLAIN (ANALYZE off) UPDATE t SET a = 1").kind()).isEqualTo(StatementKind.READ);
        assertThat(my("EXPLAIN ANALYZE SELECT 1").flags()).contains(ScanFlag.EXPLAIN_ANALYZE);
    }

    @Test
    void malformedUnrecognisedAndUncertainTextIsUnknown() {
        assertThat(pg("SELECT 'unterminated").kind()).isEqualTo(StatementKind.UNKNOWN);
        assertThat(pg("SELECT 'unterminated").flags()).contains(ScanFlag.MALFORMED);
        assertThat(pg("FROBNICATE customers").kind()).isEqualTo(StatementKind.UNKNOWN);
        assertThat(pg("FROBNICATE customers").flags()).contains(ScanFlag.UNRECOGNIZED);
        assertThat(my("CREATE PROCEDURE p() BEGIN SELECT 1;").kind()).isEqualTo(StatementKind.UNKNOWN);
        assertThat(my("SELECT 1 /*!50000 ; DROP TABLE t */").kind()).isEqualTo(StatementKind.UNKNOWN);
    }

    @Test
    void versionedCommentCodeIsScannedAsCode() {
        ScanResult r = my("/*!99999 DROP TABLE customers */");
        assertThat(r.kind()).isEqualTo(StatementKind.DDL);
        assertThat(r.flags()).contains(ScanFlag.VERSIONED_COMMENT);
        assertThat(my("INSERT /*! IGNORE */ INTO t VALUES (1)").kind()).isEqualTo(StatementKind.WRITE);
    }

    @Test
    void storedProgramsAreProcedural() {
        ScanResult r = my("CREATE PROCEDURE p() BEGIN DELETE FROM orders; END");
        assertThat(r.kind()).isEqualTo(StatementKind.PROCEDURAL);
        assertThat(r.flags()).contains(ScanFlag.COMPOUND_BODY);
        assertThat(r.relations()).extracting(RelationRef::name).contains("orders");
        assertThat(pg("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$").kind())
                .isEqualTo(StatementKind.PROCEDURAL);
        assertThat(pg("DROP FUNCTION f()").kind()).isEqualTo(StatementKind.DDL);
    }

    @Test
    void sideEffectFunctionsRaiseTheKind() {
        assertThat(pg("SELECT pg_read_file('/etc/passwd')").kind()).isEqualTo(StatementKind.PROCEDURAL);
        assertThat(pg("SELECT pg_read_file('/etc/passwd')").flags()).contains(ScanFlag.SERVER_FILE_ACCESS,
                ScanFlag.DANGEROUS_FUNCTION);
        assertThat(my("SELECT LOAD_FILE('/etc/passwd')").kind()).isEqualTo(StatementKind.PROCEDURAL);
        assertThat(pg("SELECT nextval('s')").kind()).isEqualTo(StatementKind.WRITE);
        assertThat(pg("SELECT pg_catalog.set_config('search_path', '', false)").kind()).isEqualTo(StatementKind.SESSION);
        assertThat(pg("SELECT * FROM dblink('db', 'DELETE FROM t') AS x(a int)").flags()).contains(ScanFlag.DYNAMIC_SQL);
        assertThat(my("SELECT @n := @n + 1 FROM t").kind()).isEqualTo(StatementKind.SESSION);
    }

    @Test
    void privilegeStatementsAreRecognised() {
        assertThat(pg("GRANT SELECT ON customers TO bob").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(pg("ALTER TABLE customers OWNER TO bob").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(my("CREATE USER 'x'@'%' IDENTIFIED BY 'y'").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(my("SET PASSWORD = 'x'").kind()).isEqualTo(StatementKind.PRIVILEGE);
        assertThat(pg("DISCARD ALL").kind()).isEqualTo(StatementKind.PRIVILEGE);
    }

    @Test
    void lockingReadsStayReadsWithAFlag() {
        ScanResult r = my("SELECT * FROM orders WHERE id = 1 FOR UPDATE");
        assertThat(r.kind()).isEqualTo(StatementKind.READ);
        assertThat(r.flags()).contains(ScanFlag.LOCKING_READ);
        assertThat(my("SELECT 1 FROM t LOCK IN SHARE MODE").flags()).contains(ScanFlag.LOCKING_READ);
    }

    @Test
    void theEmptyTextIsAHarmlessRead() {
        ScanResult r = pg("  -- nothing\n");
        assertThat(r.statementCount()).isZero();
        assertThat(r.kind()).isEqualTo(StatementKind.READ);
    }
}
