package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatementSplitterTest {

    static List<StatementText> split(Dialect dialect, String sql) {
        return StatementSplitter.split(SqlTokenizer.forDialect(dialect).tokenize(sql));
    }

    @Test
    void splitsAtTopLevelSemicolonsWithOffsetsIntoTheOriginalText() {
        String sql = "SELECT 1;  UPDATE t SET a = 2 ;\nDELETE FROM t";
        List<StatementText> s = split(Dialect.POSTGRESQL, sql);
        assertThat(s).extracting(StatementText::sql).containsExactly("SELECT 1", "UPDATE t SET a = 2", "DELETE FROM t");
        assertThat(s).extracting(StatementText::index).containsExactly(0, 1, 2);
        for (StatementText st : s) {
            assertThat(sql.substring(st.start(), st.end())).isEqualTo(st.sql());
        }
    }

    @Test
    void semicolonsInsideStringsIdentifiersCommentsAndDollarQuotesDoNotSplit() {
        assertThat(split(Dialect.POSTGRESQL, "SELECT 'a;b', \"c;d\", $$e;f$$, E'\\';' /* ; */ -- ;\n")).hasSize(1);
        assertThat(split(Dialect.MYSQL, "SELECT 'a\\';b', `c;d`, \"e;f\" # ;\n")).hasSize(1);
    }

    @Test
    void emptyStatementsAndTrailingCommentsAreDropped() {
        assertThat(split(Dialect.POSTGRESQL, ";;SELECT 1;;  -- bye")).extracting(StatementText::sql)
                .containsExactly("SELECT 1");
        assertThat(split(Dialect.MYSQL, "  ")).isEmpty();
    }

    @Test
    void leadingCommentsStayWithTheirStatement() {
        assertThat(split(Dialect.MYSQL, "/* mysql-connector-j */SELECT @@version; /* b */ SELECT 2"))
                .extracting(StatementText::sql).containsExactly("/* mysql-connector-j */SELECT @@version", "/* b */ SELECT 2");
    }

    @Test
    void mysqlProcedureBodyIsOneStatementAndTheNextOneIsSeparate() {
        String sql = "CREATE DEFINER=`root`@`%` PROCEDURE p(IN a INT)\nBEGIN\n  DECLARE x INT DEFAULT 0;\n"
                + "  IF a > 1 THEN SELECT 1; ELSEIF a = 0 THEN SELECT 0; ELSE UPDATE t SET c = 1 WHERE id = a; END IF;\n"
                + "  lbl: LOOP SET x = x + 1; IF x > 3 THEN LEAVE lbl; END IF; END LOOP lbl;\n"
                + "  WHILE x > 0 DO SET x = x - 1; END WHILE;\n  REPEAT SET x = x + 1; UNTIL x > 2 END REPEAT;\n"
                + "  CASE x WHEN 3 THEN SELECT IF(x > 1, 'a', 'b'); ELSE BEGIN END; END CASE;\nEND;\nSELECT 2";
        List<StatementText> s = split(Dialect.MYSQL, sql);
        assertThat(s).hasSize(2);
        assertThat(s.get(0).compoundBody()).isTrue();
        assertThat(s.get(0).boundaryUncertain()).isFalse();
        assertThat(s.get(0).sql()).endsWith("END CASE;\nEND");
        assertThat(s.get(1).sql()).isEqualTo("SELECT 2");
    }

    @Test
    void mysqlTransactionBeginAndSingleStatementTriggersSplitNormally() {
        assertThat(split(Dialect.MYSQL, "BEGIN; UPDATE t SET a = 1 WHERE id = 2; COMMIT")).hasSize(3);
        assertThat(split(Dialect.MYSQL,
                "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1; SELECT 1")).hasSize(2);
        assertThat(split(Dialect.MYSQL, "CREATE TABLE event (id INT); SELECT 1")).hasSize(2);
    }

    @Test
    void mariadbAnonymousCompoundStatementIsOneStatement() {
        List<StatementText> s = split(Dialect.MYSQL, "BEGIN NOT ATOMIC DECLARE x INT; SET x = 1; END; SELECT x");
        assertThat(s).extracting(StatementText::sql).containsExactly("BEGIN NOT ATOMIC DECLARE x INT; SET x = 1; END",
                "SELECT x");
    }

    @Test
    void anUnclosedBodyRunsToTheEndAndIsMarkedUncertain() {
        List<StatementText> s = split(Dialect.MYSQL, "CREATE PROCEDURE p() BEGIN SELECT 1; DROP TABLE t; SELECT 2");
        assertThat(s).hasSize(1);
        assertThat(s.get(0).boundaryUncertain()).isTrue();
    }

    @Test
    void postgresBeginAtomicBodyIsOneStatement() {
        List<StatementText> s = split(Dialect.POSTGRESQL, "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql "
                + "BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT 2; END; SELECT 3");
        assertThat(s).hasSize(2);
        assertThat(s.get(0).compoundBody()).isTrue();
        assertThat(s.get(1).sql()).isEqualTo("SELECT 3");
    }

    @Test
    void postgresTransactionBeginSplits() {
        assertThat(split(Dialect.POSTGRESQL, "BEGIN; SELECT 1; END")).hasSize(3);
    }

    @Test
    void semicolonInsideAVersionedCommentSplitsAndMarksBothSidesUncertain() {
        List<StatementText> s = split(Dialect.MYSQL, "SELECT 1 /*!50000 ; DROP TABLE t */");
        assertThat(s).hasSize(2);
        assertThat(s).allMatch(StatementText::boundaryUncertain);
    }

    @Test
    void malformedTailIsKeptAsAStatement() {
        List<StatementText> s = split(Dialect.POSTGRESQL, "SELECT 1; SELECT 'oops");
        assertThat(s).hasSize(2);
        assertThat(s.get(1).malformed()).isTrue();
    }
}
