package dev.veil.audit;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LiteralRedactorTest {
    private final LiteralRedactor pg = new LiteralRedactor(Dialect.POSTGRESQL);
    private final LiteralRedactor mysql = new LiteralRedactor(Dialect.MYSQL);

    @Test
    void replacesStringsAndNumbersButKeepsNamesParametersAndComments() {
        assertThat(pg.redact("SELECT * FROM t2 WHERE email = 'a@b.c' AND id = 42 AND x > 1.5e3 AND y = $1 -- it's 7"))
                .isEqualTo("SELECT * FROM t2 WHERE email = ? AND id = ? AND x > ? AND y = $1 -- it's 7");
    }

    @Test
    void handlesDoubledQuotesEscapeStringsAndDollarQuotes() {
        assertThat(pg.redact("SELECT 'it''s', E'a\\'b', $$x'y$$, $tag$ z $tag$, \"col 1\" FROM t"))
                .isEqualTo("SELECT ?, ?, ?, ?, \"col 1\" FROM t");
    }

    @Test
    void mysqlStringsUseBackslashesAndDoubleQuotes() {
        assertThat(mysql.redact("SELECT `a`, \"x\\\"y\", 'p\\'q', 0x1F FROM t WHERE n = 3"))
                .isEqualTo("SELECT `a`, ?, ?, ? FROM t WHERE n = ?");
    }

    @Test
    void sameShapeSameFingerprint() {
        assertThat(pg.read("SELECT * FROM t WHERE id = 1").fingerprint())
                .isEqualTo(pg.read("SELECT *  FROM t\nWHERE id = 99").fingerprint())
                .isNotEqualTo(pg.read("SELECT * FROM t WHERE name = 1").fingerprint());
    }

    @Test
    void recordsTheRedactedTextWithTheFingerprint() {
        assertThat(mysql.read("SELECT 'x' FROM t").text()).isEqualTo("SELECT ? FROM t");
    }

    @Test
    void theFingerprintIsTheOneTheAnalysisGives() {
        CatalogSnapshot catalog = CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop")
                .table("public", "customers", new ColumnInfo("id", "int4", false), new ColumnInfo("email", "text", false))
                .build();
        String sql = "SELECT email FROM customers WHERE id IN (1, 2, 3) -- report";
        String analysed = new StatementAnalyzer().analyze(Dialect.POSTGRESQL, catalog, NameResolution.postgres("shop"), sql)
                .fingerprint();
        assertThat(pg.read(sql).fingerprint()).isEqualTo(analysed).hasSize(16);
    }

    @Test
    void literalsInsideMySqlVersionedCommentsAreCodeAndRedacted() {
        assertThat(mysql.redact("SELECT /*!50000 'secret', */ 1 /* 'kept' */"))
                .isEqualTo("SELECT /*!50000 ?, */ ? /* 'kept' */");
    }

    @Test
    void prefixedLiteralsBecomeOneQuestionMark() {
        assertThat(pg.redact("SELECT B'1010', X'ff', N'n', U&'d\\0061t', e'x'")).isEqualTo("SELECT ?, ?, ?, ?, ?");
        assertThat(mysql.redact("SELECT _utf8mb4'x', _latin1 0x41, x'ff', b'01'")).isEqualTo("SELECT ?, ?, ?, ?");
    }

    @Test
    void anUnterminatedStringIsRedactedToTheEnd() {
        assertThat(pg.redact("SELECT 1 WHERE pw = 'hunter2")).isEqualTo("SELECT ? WHERE pw = ?");
        assertThat(mysql.redact("SELECT \"hunter2")).isEqualTo("SELECT ?");
        assertThat(pg.redact("SELECT 1 /* open")).isEqualTo("SELECT ? /* open");
    }

    @Test
    void namesThatStartWithDigitsStayInMySql() {
        assertThat(mysql.redact("SELECT 1abc, 2 FROM t")).isEqualTo("SELECT 1abc, ? FROM t");
    }
}
