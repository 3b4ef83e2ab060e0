package dev.veil.audit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LiteralRedactorTest {
    private final LiteralRedactor pg = new LiteralRedactor(false);
    private final LiteralRedactor mysql = new LiteralRedactor(true);

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
        assertThat(pg.fingerprint(pg.redact("SELECT * FROM t WHERE id = 1")))
                .isEqualTo(pg.fingerprint(pg.redact("SELECT *  FROM t\nWHERE id = 99")))
                .isNotEqualTo(pg.fingerprint(pg.redact("SELECT * FROM t WHERE name = 1")));
    }
}
