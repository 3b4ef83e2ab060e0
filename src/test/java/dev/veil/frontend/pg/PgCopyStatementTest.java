package dev.veil.frontend.pg;

import dev.veil.protocol.pg.CopyFormat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What Veil reads of a COPY … TO STDOUT to mask it: the query to describe, and the textual format's options. */
class PgCopyStatementTest {
    private static PgCopyStatement read(String sql) {
        PgCopyStatement copy = PgCopyStatement.parse(sql);
        assertThat(copy).as(sql).isNotNull();
        return copy;
    }

    @Test
    void aQueryCopyIsDescribedAsItsQueryAndATableCopyAsASelectOfItsColumns() {
        assertThat(read("COPY (SELECT email, (1) FROM customers) TO STDOUT").describeSql())
                .isEqualTo("SELECT email, (1) FROM customers");
        assertThat(read("copy public.\"Customers\" (id, email) to stdout").describeSql())
                .isEqualTo("SELECT id, email FROM public.\"Customers\"");
        assertThat(read("COPY customers TO STDOUT;").describeSql()).isEqualTo("SELECT * FROM customers");
    }

    @Test
    void theDefaultIsTextWithTabAndBackslashN() {
        CopyFormat f = read("COPY customers TO STDOUT").format();
        assertThat(f.csv()).isFalse();
        assertThat(f.delimiter()).isEqualTo((byte) '\t');
        assertThat(new String(f.nullMarker())).isEqualTo("\\N");
        assertThat(f.header()).isFalse();
    }

    @Test
    void theOptionListIsRead() {
        CopyFormat f = read("COPY (SELECT 1) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'n/a', QUOTE '''',"
                + " FORCE_QUOTE (a, b), ENCODING 'UTF8')").format();
        assertThat(f.csv()).isTrue();
        assertThat(f.header()).isTrue();
        assertThat(f.delimiter()).isEqualTo((byte) ';');
        assertThat(new String(f.nullMarker())).isEqualTo("n/a");
        assertThat(f.quote()).isEqualTo((byte) '\'');
        assertThat(f.escape()).as("the escape follows the quote").isEqualTo((byte) '\'');
        assertThat(read("COPY t TO STDOUT (FORMAT csv, ESCAPE '\\', QUOTE '\"', HEADER false)").format().escape())
                .isEqualTo((byte) '\\');
    }

    @Test
    void theOlderSyntaxIsRead() {
        CopyFormat f = read("COPY t TO STDOUT WITH DELIMITER AS '|' NULL AS '' CSV HEADER QUOTE AS '\"' ESCAPE AS '\\'"
                + " FORCE QUOTE *").format();
        assertThat(f.csv()).isTrue();
        assertThat(f.header()).isTrue();
        assertThat(f.delimiter()).isEqualTo((byte) '|');
        assertThat(f.nullMarker()).isEmpty();
        assertThat(f.escape()).isEqualTo((byte) '\\');
        assertThat(read("COPY t TO STDOUT CSV FORCE QUOTE a, b HEADER").format().header()).isTrue();
    }

    @Test
    void binaryForeignEncodingsAndUnknownOptionsAreProblems() {
        assertThat(read("COPY t TO STDOUT WITH (FORMAT binary)").problem()).contains("binary");
        assertThat(read("COPY t TO STDOUT BINARY").problem()).contains("binary");
        assertThat(read("COPY BINARY t TO STDOUT").problem()).contains("binary");
        assertThat(read("COPY t TO STDOUT (ENCODING 'LATIN1')").problem()).contains("UTF-8");
        assertThat(read("COPY t TO STDOUT (FROBNICATE 1)").problem()).contains("frobnicate");
        assertThat(read("COPY t TO STDOUT; SELECT 1").problem()).contains("more follows");
    }

    @Test
    void otherStatementsAreNotCopiesToTheClient() {
        assertThat(PgCopyStatement.parse("COPY t FROM STDIN")).isNull();
        assertThat(PgCopyStatement.parse("COPY t TO '/tmp/x'")).isNull();
        assertThat(PgCopyStatement.parse("SELECT 'COPY t TO STDOUT'")).isNull();
        assertThat(PgCopyStatement.parse(null)).isNull();
    }
}
