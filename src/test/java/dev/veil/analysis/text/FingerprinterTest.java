package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FingerprinterTest {

    static Fingerprint pg(String sql) {
        return Fingerprinter.fingerprint(SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize(sql));
    }

    static Fingerprint my(String sql) {
        return Fingerprinter.fingerprint(SqlTokenizer.forDialect(Dialect.MYSQL).tokenize(sql));
    }

    @Test
    void literalsAndParametersBecomeQuestionMarks() {
        assertThat(pg("SELECT id FROM customers WHERE id = 42").normalized())
                .isEqualTo("SELECT id FROM customers WHERE id = ?");
        assertThat(pg("select id from customers where id = $1")).isEqualTo(pg("SELECT id FROM customers WHERE id = 7"));
        assertThat(my("SELECT id FROM customers WHERE email = ?")).isEqualTo(my("SELECT id FROM customers WHERE email = 'a@b'"));
        assertThat(pg("SELECT E'x', U&'y', $$z$$, B'1', X'2', 1.5e3")).isEqualTo(pg("SELECT 'a', 'b', 'c', 'd', 'e', 7"));
    }

    @Test
    void theHashIsAStableDocumentedFunctionOfDialectAndText() {
        // FNV-1a 64 over "POSTGRESQL\n" + text, then MurmurHash3 fmix64; computed independently in Python.
        assertThat(pg("SELECT id FROM customers WHERE id = 1").hex()).isEqualTo("cd61b2ed6ed8c487");
        assertThat(my("SELECT id FROM customers WHERE id = 1").hex()).isEqualTo("93234f10d73d6392");
    }

    @Test
    void theHashReadsNonAsciiTextAsItsUtf8Bytes() {
        // The same function over UTF-8 (two- and four-byte sequences, a surrogate pair), computed in Python.
        assertThat(Long.toHexString(Fingerprinter.hash(Dialect.POSTGRESQL, "SELECT \"\u00c4pfel\", '\ud83d\ude00' FROM t")))
                .isEqualTo("fd7a51611cc469e0");
        assertThat(Long.toHexString(Fingerprinter.hash(Dialect.MYSQL, "SELECT `pr\u00e9nom` FROM t WHERE x = ?")))
                .isEqualTo("80d2fe829df762db");
    }

    @Test
    void differentTablesOrColumnsGiveDifferentFingerprints() {
        assertThat(pg("SELECT id FROM customers WHERE id = 1")).isNotEqualTo(pg("SELECT id FROM orders WHERE id = 1"));
        assertThat(pg("SELECT ssn FROM customers")).isNotEqualTo(pg("SELECT email FROM customers"));
        assertThat(pg("SELECT a FROM t WHERE x = 1")).isNotEqualTo(pg("SELECT a FROM t WHERE x > 1"));
    }

    @Test
    void layoutCommentsAndKeywordCaseDoNotMatter() {
        assertThat(my("select  id\n from customers -- c\n where id = 1 /* x */"))
                .isEqualTo(my("SELECT id FROM customers WHERE id = 2"));
    }

    @Test
    void postgresFoldsUnquotedIdentifiersButKeepsQuotedOnesExactly() {
        assertThat(pg("SELECT Id FROM Customers")).isEqualTo(pg("select id from customers"));
        assertThat(pg("SELECT id FROM \"Customers\"")).isNotEqualTo(pg("SELECT id FROM customers"));
        assertThat(pg("SELECT id FROM \"Customers\"").normalized()).isEqualTo("SELECT id FROM \"Customers\"");
        assertThat(pg("SELECT 1 FROM Äpfel")).isNotEqualTo(pg("SELECT 1 FROM äpfel"));
    }

    @Test
    void mysqlKeepsIdentifierCaseBecauseTableNamesAreCaseSensitive() {
        assertThat(my("SELECT id FROM Customers")).isNotEqualTo(my("SELECT id FROM customers"));
        assertThat(my("select id from customers")).isEqualTo(my("SELECT id FROM customers"));
        assertThat(my("SELECT 1 FROM shop.Order")).isNotEqualTo(my("SELECT 1 FROM shop.ORDER"));
        assertThat(my("SELECT 1 FROM `t`")).isNotEqualTo(my("SELECT 1 FROM t"));
    }

    @Test
    void literalInListsCollapseWhateverTheirLength() {
        assertThat(pg("SELECT 1 FROM t WHERE id IN (1)")).isEqualTo(pg("SELECT 1 FROM t WHERE id IN (1, 2, -3, $4)"));
        assertThat(pg("SELECT 1 FROM t WHERE id IN (1, 2)").normalized()).isEqualTo("SELECT ? FROM t WHERE id IN (?, ...)");
        assertThat(pg("SELECT 1 FROM t WHERE id = ANY(ARRAY[1, 2])")).isEqualTo(pg("SELECT 1 FROM t WHERE id = ANY(ARRAY[3])"));
        assertThat(pg("SELECT 1 FROM t WHERE id IN (a, 1)")).isNotEqualTo(pg("SELECT 1 FROM t WHERE id IN (1)"));
    }

    @Test
    void multiRowValuesOfTheSameShapeCollapse() {
        assertThat(my("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')"))
                .isEqualTo(my("INSERT INTO t (a, b) VALUES (3, 'z'), (4, 'w'), (5, 'v')"));
        assertThat(my("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')").normalized())
                .isEqualTo("INSERT INTO t (a, b) VALUES (?, ?), ...");
        assertThat(my("INSERT INTO t (a, b) VALUES (1, 'x'), (2, NOW())"))
                .isNotEqualTo(my("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')"));
    }

    @Test
    void orderByGroupByAndDistinctOnOrdinalsAreKept() {
        assertThat(pg("SELECT a, b FROM t ORDER BY 1")).isNotEqualTo(pg("SELECT a, b FROM t ORDER BY 2"));
        assertThat(my("SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2 DESC")).isNotEqualTo(
                my("SELECT a, count(*) FROM t GROUP BY 2 ORDER BY 2 DESC"));
        assertThat(pg("SELECT DISTINCT ON (1) a, b FROM t")).isNotEqualTo(pg("SELECT DISTINCT ON (2) a, b FROM t"));
        assertThat(pg("SELECT a FROM t ORDER BY 1 LIMIT 5")).isEqualTo(pg("SELECT a FROM t ORDER BY 1 LIMIT 10"));
        assertThat(pg("SELECT a FROM t ORDER BY a + 1")).isEqualTo(pg("SELECT a FROM t ORDER BY a + 2"));
    }

    @Test
    void signsAndVersionedCommentMarkersAreKept() {
        assertThat(pg("SELECT 1 FROM t WHERE a = -5")).isNotEqualTo(pg("SELECT 1 FROM t WHERE a = 5"));
        assertThat(my("/*!50100 SELECT 1 */")).isNotEqualTo(my("SELECT 1"));
    }

    @Test
    void adjacentStringLiteralsCountAsOne() {
        assertThat(my("SELECT 'a' 'b'")).isEqualTo(my("SELECT 'c'"));
    }

    @Test
    void theDialectIsPartOfTheHash() {
        assertThat(pg("SELECT 1").normalized()).isEqualTo(my("SELECT 1").normalized());
        assertThat(pg("SELECT 1").hash()).isNotEqualTo(my("SELECT 1").hash());
    }

    @Test
    void aStatementAndTheWholeTextFingerprintAlike() {
        Tokens tokens = SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize("SELECT 1; SELECT a FROM t WHERE b = 2");
        StatementText second = StatementSplitter.split(tokens).get(1);
        assertThat(Fingerprinter.fingerprint(second)).isEqualTo(pg("SELECT a FROM t WHERE b = 9"));
    }
}
