package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.veil.analysis.text.PostgresTokenizerTest.kinds;
import static dev.veil.analysis.text.PostgresTokenizerTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

/** MySQL / MariaDB lexical rules (sql_lex.cc) as the tokenizer must follow them. */
class MySqlTokenizerTest {
    private static final SqlTokenizer MY = SqlTokenizer.forDialect(Dialect.MYSQL);

    @Test
    void backslashEscapesAQuoteUnlessNoBackslashEscapesIsSet() {
        String smuggle = "SELECT 'a\\'; DROP TABLE customers; -- '";
        Tokens normal = MY.tokenize(smuggle);
        assertThat(kinds(normal)).isEqualTo("WORD STRING");
        assertThat(normal.all().get(1).value()).isEqualTo("a'; DROP TABLE customers; -- ");

        Tokens noEscapes = new SqlTokenizer(LexicalSettings.defaults(Dialect.MYSQL).withBackslashEscapes(false))
                .tokenize(smuggle);
        assertThat(texts(noEscapes)).startsWith("SELECT|'a\\'|;|DROP|TABLE|customers|;|-- '");
    }

    @Test
    void mysqlEscapesDecode() {
        Tokens t = MY.tokenize("SELECT 'tab\\there\\n\\0\\Z\\%'");
        assertThat(t.all().get(1).value()).isEqualTo("tab\there\n\0\u001a\\%");
    }

    @Test
    void doubleQuotesMakeAStringByDefaultAndAnIdentifierUnderAnsiQuotes() {
        assertThat(kinds(MY.tokenize("SELECT \"a\"\"b\""))).isEqualTo("WORD STRING");
        assertThat(MY.tokenize("SELECT \"a\"\"b\"").all().get(1).value()).isEqualTo("a\"b");
        SqlTokenizer ansi = new SqlTokenizer(LexicalSettings.defaults(Dialect.MYSQL).withAnsiQuotes(true));
        assertThat(kinds(ansi.tokenize("SELECT \"a\"\"b\""))).isEqualTo("WORD QUOTED_IDENTIFIER");
    }

    @Test
    void backtickIdentifiersUndoubleBackticks() {
        Tokens t = MY.tokenize("SELECT `odd``name`, `a;b` FROM `shop`.`customers`");
        assertThat(t.all().get(1).kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
        assertThat(t.all().get(1).value()).isEqualTo("odd`name");
        assertThat(t.all().get(3).value()).isEqualTo("a;b");
    }

    @Test
    void hashStartsALineComment() {
        assertThat(kinds(MY.tokenize("SELECT 1 # note; DROP\n, 2"))).isEqualTo("WORD NUMBER COMMENT PUNCTUATION NUMBER");
    }

    @Test
    void aCarriageReturnAloneDoesNotEndALineComment() {
        // The servers end # and -- comments at \n only (MySqlLineCommentEndTest asks them); PostgreSQL at \r too.
        assertThat(kinds(MY.tokenize("SELECT 1 # note\r, 2\n, 3"))).isEqualTo("WORD NUMBER COMMENT PUNCTUATION NUMBER");
        assertThat(kinds(MY.tokenize("SELECT 1 -- note\r, 2\r\n, 3"))).isEqualTo("WORD NUMBER COMMENT PUNCTUATION NUMBER");
        assertThat(kinds(SqlTokenizer.forDialect(Dialect.POSTGRESQL).tokenize("SELECT 1 -- note\r, 2")))
                .isEqualTo("WORD NUMBER COMMENT PUNCTUATION NUMBER");
    }

    @Test
    void dashDashIsACommentOnlyWhenASpaceOrControlCharacterFollows() {
        assertThat(texts(MY.tokenize("SELECT 1--1"))).isEqualTo("SELECT|1|-|-|1");
        assertThat(kinds(MY.tokenize("SELECT 1-- 1"))).isEqualTo("WORD NUMBER COMMENT");
        assertThat(kinds(MY.tokenize("SELECT 1--\t1"))).isEqualTo("WORD NUMBER COMMENT");
        assertThat(kinds(MY.tokenize("SELECT 1--"))).isEqualTo("WORD NUMBER COMMENT");
    }

    @Test
    void blockCommentsDoNotNest() {
        assertThat(texts(MY.tokenize("/* a /* b */ SELECT 1 */"))).isEqualTo("/* a /* b */|SELECT|1|*|/");
    }

    @Test
    void versionedCommentContentsAreTokenizedAsCode() {
        Tokens t = MY.tokenize("/*!50100 SET @a = 'x*/' */ /*M!100100 DROP TABLE t */ /*! STRAIGHT_JOIN */");
        assertThat(kinds(t)).isEqualTo("VERSIONED_COMMENT_START WORD VARIABLE OPERATOR STRING VERSIONED_COMMENT_END "
                + "VERSIONED_COMMENT_START WORD WORD WORD VERSIONED_COMMENT_END "
                + "VERSIONED_COMMENT_START WORD VERSIONED_COMMENT_END");
        assertThat(t.all().get(0).text()).isEqualTo("/*!50100");
        assertThat(t.code()).extracting(Token::text).containsExactly("SET", "@a", "=", "'x*/'", "DROP", "TABLE", "t",
                "STRAIGHT_JOIN");
    }

    @Test
    void optimizerHintsAreComments() {
        assertThat(kinds(MY.tokenize("SELECT /*+ MAX_EXECUTION_TIME(10) */ 1"))).isEqualTo("WORD COMMENT NUMBER");
    }

    @Test
    void unterminatedVersionedCommentIsMalformed() {
        assertThat(MY.tokenize("/*!40101 SET NAMES utf8").malformed()).isTrue();
    }

    @Test
    void variablesUserHostAndParameters() {
        Tokens t = MY.tokenize("SELECT @x, @@session.sql_mode, @'odd name', @`q`, ? FROM t WHERE u = 'root'@'localhost'");
        assertThat(t.code()).filteredOn(k -> k.kind() == TokenKind.VARIABLE).extracting(Token::text)
                .containsExactly("@x", "@@session.sql_mode", "@'odd name'", "@`q`");
        assertThat(t.code()).filteredOn(k -> k.kind() == TokenKind.PARAMETER).extracting(Token::text).containsExactly("?");
        assertThat(texts(t)).endsWith("'root'|@|'localhost'");
    }

    @Test
    void hexBitAndNumberForms() {
        Tokens t = MY.tokenize("SELECT X'4F', 0x1F, b'01', 0b01, 1e3, .5, 0xZZ, 1abc");
        assertThat(t.code()).filteredOn(k -> k.kind() == TokenKind.BIT_STRING).extracting(Token::text)
                .containsExactly("X'4F'", "b'01'");
        assertThat(t.code()).filteredOn(k -> k.kind() == TokenKind.NUMBER).extracting(Token::text)
                .containsExactly("0x1F", "0b01", "1e3", ".5");
        assertThat(t.code()).filteredOn(k -> k.kind() == TokenKind.WORD).extracting(Token::text)
                .containsExactly("SELECT", "0xZZ", "1abc");
    }

    @Test
    void charsetIntroducersJoinTheirLiteral() {
        Tokens t = MY.tokenize("SELECT _utf8mb4'caf\\xC3', _binary 'x', _latin1 X'41', _other'y'");
        assertThat(t.code()).extracting(Token::text).containsExactly("SELECT", "_utf8mb4'caf\\xC3'", ",",
                "_binary 'x'", ",", "_latin1 X'41'", ",", "_other", "'y'");
        assertThat(t.code().get(1).value()).isEqualTo("cafxC3");
    }

    @Test
    void backslashNIsNullAndDollarStartsAnIdentifier() {
        assertThat(kinds(MY.tokenize("SELECT \\N, $a, $$"))).isEqualTo("WORD WORD PUNCTUATION WORD PUNCTUATION WORD");
    }

    @Test
    void jsonArrowOperatorsAndNullSafeEquality() {
        assertThat(texts(MY.tokenize("a->'$.x' <=> b->>'$.y' := c"))).isEqualTo("a|->|'$.x'|<=>|b|->>|'$.y'|:=|c");
    }

    @Test
    void unterminatedConstructsAreErrorsNotExceptions() {
        for (String sql : List.of("SELECT 'abc\\'", "SELECT \"abc", "SELECT `abc", "SELECT /* x", "SELECT @'x",
                "SELECT x'41")) {
            assertThat(MY.tokenize(sql).malformed()).as(sql).isTrue();
        }
    }
}
