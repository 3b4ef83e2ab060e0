package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ParameterRewriterTest {

    static ParameterRewrite pg(String sql) {
        return ParameterRewriter.rewrite(SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize(sql));
    }

    @Test
    void dollarParametersBecomePaddedQuestionMarksSoOffsetsDoNotMove() {
        String sql = "SELECT a FROM t WHERE b = $1 AND c = $12::int";
        ParameterRewrite r = pg(sql);
        assertThat(r.sql()).isEqualTo("SELECT a FROM t WHERE b = ?  AND c = ?  ::int");
        assertThat(r.sql()).hasSameSizeAs(sql);
        assertThat(r.placeholders()).extracting(ParameterRewrite.Placeholder::number).containsExactly(1, 12);
        assertThat(r.placeholders()).extracting(ParameterRewrite.Placeholder::index).containsExactly(0, 1);
        assertThat(r.placeholders().get(0).start()).isEqualTo(sql.indexOf("$1"));
        assertThat(r.maxParameterNumber()).isEqualTo(12);
        assertThat(r.ambiguous()).isFalse();
    }

    @Test
    void aRepeatedParameterMapsEveryOccurrence() {
        ParameterRewrite r = pg("SELECT $1 WHERE x = $1 OR y = $2");
        assertThat(r.placeholders()).extracting(ParameterRewrite.Placeholder::number).containsExactly(1, 1, 2);
    }

    @Test
    void dollarsInsideStringsCommentsDollarQuotesAndIdentifiersAreUntouched() {
        String sql = "SELECT '$1', $$ $2 $$, \"$3\", a$4 /* $5 */ -- $6\n";
        ParameterRewrite r = pg(sql);
        assertThat(r.sql()).isEqualTo(sql);
        assertThat(r.placeholders()).isEmpty();
    }

    @Test
    void aJsonbQuestionOperatorMakesTheRewriteAmbiguous() {
        assertThat(pg("SELECT 1 FROM e WHERE d ? $1").ambiguous()).isTrue();
        assertThat(pg("SELECT 1 FROM e WHERE d ?| $1").ambiguous()).isTrue();
        assertThat(pg("SELECT 1 FROM e WHERE d @> $1").ambiguous()).isFalse();
    }

    @Test
    void mysqlQuestionMarksAreNumberedInOrderAndLeftAsTheyAre() {
        ParameterRewrite r = ParameterRewriter.rewrite(SqlTokenizer.forDialect(Dialect.MYSQL)
                .tokenize("SELECT '?' FROM t WHERE a = ? AND b = ?"));
        assertThat(r.sql()).isEqualTo("SELECT '?' FROM t WHERE a = ? AND b = ?");
        assertThat(r.placeholders()).extracting(ParameterRewrite.Placeholder::number).containsExactly(1, 2);
    }

    @Test
    void aSplitStatementIsRewrittenWithOffsetsRelativeToItself() {
        Tokens tokens = SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize("SELECT 1; SELECT $1");
        ParameterRewrite r = ParameterRewriter.rewrite(StatementSplitter.split(tokens).get(1));
        assertThat(r.sql()).isEqualTo("SELECT ? ");
        assertThat(r.placeholders().get(0).start()).isEqualTo(7);
    }
}
