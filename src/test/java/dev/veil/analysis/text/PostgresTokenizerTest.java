package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL lexical rules (scan.l) as the tokenizer must follow them. */
class PostgresTokenizerTest {
    private static final SqlTokenizer PG = SqlTokenizer.forDialect(Dialect.POSTGRESQL);

    static List<Token> code(Tokens tokens) {
        return tokens.code();
    }

    static String kinds(Tokens tokens) {
        return tokens.all().stream().map(t -> t.kind().name()).collect(Collectors.joining(" "));
    }

    static String texts(Tokens tokens) {
        return tokens.all().stream().map(Token::text).collect(Collectors.joining("|"));
    }

    @Test
    void doubledQuoteStaysInsideOneStandardString() {
        Tokens t = PG.tokenize("SELECT 'O''Brien; x'");
        assertThat(kinds(t)).isEqualTo("WORD STRING");
        assertThat(t.all().get(1).value()).isEqualTo("O'Brien; x");
    }

    @Test
    void backslashIsLiteralInStandardStringsButEscapesWhenStandardConformingStringsIsOff() {
        assertThat(texts(PG.tokenize("SELECT 'a\\' , 'b'"))).isEqualTo("SELECT|'a\\'|,|'b'");
        SqlTokenizer legacy = new SqlTokenizer(LexicalSettings.defaults(Dialect.POSTGRESQL)
                .withStandardConformingStrings(false));
        Tokens t = legacy.tokenize("SELECT 'a\\' , 'b'");
        assertThat(texts(t)).isEqualTo("SELECT|'a\\' , '|b'"); // then b' opens a bit string
        assertThat(t.malformed()).isTrue();
    }

    @Test
    void extendedStringDecodesBackslashEscapes() {
        Tokens t = PG.tokenize("SELECT E'it\\'s\\n\\x41\\101\\u00e9', e'a''b'");
        assertThat(kinds(t)).isEqualTo("WORD STRING PUNCTUATION STRING");
        assertThat(t.all().get(1).value()).isEqualTo("it's\nAAé");
        assertThat(t.all().get(3).value()).isEqualTo("a'b");
    }

    @Test
    void extendedStringHidesASemicolonBehindAnEscapedQuote() {
        Tokens t = PG.tokenize("SELECT E'x\\'; DROP TABLE customers; --'");
        assertThat(kinds(t)).isEqualTo("WORD STRING");
    }

    @Test
    void unicodeStringsDecodeEscapesAndHonourUescape() {
        Tokens t = PG.tokenize("SELECT U&'d\\0061t\\+000061', U&'d!0061t!+000061' UESCAPE '!', U&\"d\\0061t\"");
        assertThat(kinds(t)).isEqualTo("WORD STRING PUNCTUATION STRING PUNCTUATION QUOTED_IDENTIFIER");
        assertThat(t.all().get(1).value()).isEqualTo("data");
        assertThat(t.all().get(3).text()).isEqualTo("U&'d!0061t!+000061' UESCAPE '!'");
        assertThat(t.all().get(3).value()).isEqualTo("data");
        assertThat(t.all().get(5).value()).isEqualTo("dat");
    }

    @Test
    void invalidUnicodeEscapesAndUescapeCharactersAreErrors() {
        assertThat(PG.tokenize("SELECT U&'\\00zz'").malformed()).isTrue();
        assertThat(PG.tokenize("SELECT U&'x' UESCAPE 'a'").malformed()).isTrue();
        assertThat(PG.tokenize("SELECT U&'x' UESCAPE '+'").malformed()).isTrue();
        assertThat(PG.tokenize("SELECT U&'\\D83D'").malformed()).isTrue();
        assertThat(PG.tokenize("SELECT U&'\\D83D\\DE00'").all().get(1).value()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void dollarQuotesHideQuotesSemicolonsAndOtherTags() {
        Tokens t = PG.tokenize("DO $fn$ BEGIN PERFORM 'x;'; RAISE NOTICE $$it's$$; END $fn$; SELECT $$a$$");
        assertThat(kinds(t)).isEqualTo("WORD STRING PUNCTUATION WORD STRING");
        assertThat(t.all().get(1).value()).isEqualTo(" BEGIN PERFORM 'x;'; RAISE NOTICE $$it's$$; END ");
        assertThat(t.all().get(4).value()).isEqualTo("a");
    }

    @Test
    void dollarDigitsAreParametersAndDollarInsideAWordIsPartOfIt() {
        Tokens t = PG.tokenize("SELECT a$b, x$$y FROM t WHERE id = $1 AND n < $12");
        assertThat(code(t)).extracting(Token::text).containsSubsequence("a$b", "x$$y", "$1", "$12");
        assertThat(code(t)).filteredOn(k -> k.kind() == TokenKind.PARAMETER).extracting(Token::text)
                .containsExactly("$1", "$12");
    }

    @Test
    void blockCommentsNest() {
        Tokens t = PG.tokenize("/* outer /* inner */ still comment */ SELECT 1");
        assertThat(kinds(t)).isEqualTo("COMMENT WORD NUMBER");
    }

    @Test
    void dashDashStartsACommentEvenWithoutASpace() {
        assertThat(kinds(PG.tokenize("SELECT 1--1\n, 2"))).isEqualTo("WORD NUMBER COMMENT PUNCTUATION NUMBER");
    }

    @Test
    void operatorsFollowTheMayNotEndInPlusOrMinusRule() {
        assertThat(texts(PG.tokenize("a::int->>'k'"))).isEqualTo("a|::|int|->>|'k'");
        assertThat(texts(PG.tokenize("x @> y #>> z"))).isEqualTo("x|@>|y|#>>|z");
        assertThat(texts(PG.tokenize("1+-2"))).isEqualTo("1|+|-|2");
        assertThat(texts(PG.tokenize("a <-b"))).isEqualTo("a|<|-|b");
        assertThat(texts(PG.tokenize("a @- b"))).isEqualTo("a|@-|b");
        assertThat(texts(PG.tokenize("a*/*c*/b"))).isEqualTo("a|*|/*c*/|b");
    }

    @Test
    void questionMarkIsTheJsonbOperatorNotAParameter() {
        Tokens t = PG.tokenize("SELECT 1 WHERE d ? 'k' AND d ?| array['a']");
        assertThat(code(t)).filteredOn(k -> k.kind() == TokenKind.OPERATOR).extracting(Token::text)
                .containsExactly("?", "?|");
        assertThat(code(t)).noneMatch(k -> k.kind() == TokenKind.PARAMETER);
    }

    @Test
    void quotedIdentifiersKeepCaseAndUndoubleQuotes() {
        Tokens t = PG.tokenize("SELECT \"My \"\"Col\"\"\" FROM \"Public\".customers");
        assertThat(t.all().get(1).kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
        assertThat(t.all().get(1).value()).isEqualTo("My \"Col\"");
        assertThat(t.all().get(3).value()).isEqualTo("Public");
    }

    @Test
    void zeroLengthQuotedIdentifierIsAnError() {
        assertThat(PG.tokenize("SELECT \"\" FROM t").malformed()).isTrue();
    }

    @Test
    void numericAndBitStringLiterals() {
        Tokens t = PG.tokenize("SELECT 1.5e-3, .5, 0x1F, 0o17, 0b101, 1_000_000, B'0101', x'1F', 10");
        assertThat(code(t)).filteredOn(k -> k.kind() == TokenKind.NUMBER).extracting(Token::text)
                .containsExactly("1.5e-3", ".5", "0x1F", "0o17", "0b101", "1_000_000", "10");
        assertThat(code(t)).filteredOn(k -> k.kind() == TokenKind.BIT_STRING).extracting(Token::text)
                .containsExactly("B'0101'", "x'1F'");
    }

    @Test
    void castOfAStringLiteralIsStringThenOperatorThenType() {
        assertThat(kinds(PG.tokenize("'{}'::jsonb"))).isEqualTo("STRING OPERATOR WORD");
    }

    @Test
    void unterminatedConstructsAreErrorsNotExceptions() {
        for (String sql : List.of("SELECT 'abc", "SELECT E'abc\\'", "SELECT \"abc", "SELECT $$abc",
                "SELECT $x$ abc $y$", "/* open /* nested */ SELECT 1", "SELECT U&'abc", "SELECT B'0101")) {
            Tokens t = PG.tokenize(sql);
            assertThat(t.malformed()).as(sql).isTrue();
            assertThat(t.all()).as(sql).anyMatch(k -> k.kind() == TokenKind.ERROR);
        }
    }

    @Test
    void charactersPostgresRejectsAreErrors() {
        assertThat(PG.tokenize("SELECT \\d").malformed()).isTrue();
        assertThat(PG.tokenize("SELECT {fn now()}").malformed()).isTrue();
        assertThat(PG.tokenize("SELECT 1\u0000").malformed()).isTrue();
    }

    @Test
    void nonAsciiLettersAndUnicodeSpacesArePartOfIdentifiers() {
        Tokens t = PG.tokenize("SELECT Äpfel\u2003x FROM t");
        assertThat(code(t).get(1).text()).isEqualTo("Äpfel\u2003x");
    }
}
