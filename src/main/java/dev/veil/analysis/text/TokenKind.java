package dev.veil.analysis.text;

/** Lexical classes produced by {@link SqlTokenizer}. Whitespace is not a token; offsets cover the gaps. */
public enum TokenKind {
    /** An unquoted identifier or keyword; the tokenizer does not tell them apart. */
    WORD,
    /** {@code "x"} (PostgreSQL, MySQL ANSI_QUOTES), {@code `x`} (MySQL), {@code U&"x"} (PostgreSQL). */
    QUOTED_IDENTIFIER,
    /** Character string literal in any form: standard, E'', U&'', N'', dollar-quoted, MySQL "…", _charset'…'. */
    STRING,
    /** X'…', B'…' (and their lower-case forms). */
    BIT_STRING,
    /** Integer, decimal, exponent, and 0x / 0b / 0o forms. */
    NUMBER,
    /** {@code $n} (PostgreSQL) or {@code ?} (MySQL). */
    PARAMETER,
    /** MySQL {@code @user_var}, {@code @'quoted'}, {@code @@system_var}, {@code @@session.x}. */
    VARIABLE,
    OPERATOR,
    /** One of {@code ( ) [ ] { } , ; . :} and MySQL's {@code @} between user and host. */
    PUNCTUATION,
    /** {@code -- …}, {@code # …} (MySQL), {@code /* … *}{@code /} (nested in PostgreSQL). */
    COMMENT,
    /** MySQL {@code /*!50100} or MariaDB {@code /*M!100100}: what follows, up to the end marker, is code. */
    VERSIONED_COMMENT_START,
    /** The {@code *}{@code /} that closes a versioned comment. */
    VERSIONED_COMMENT_END,
    /** Unterminated string, identifier, comment or dollar quote, invalid escape, or a character SQL has no use for. */
    ERROR;

    public boolean isLiteral() {
        return this == STRING || this == BIT_STRING || this == NUMBER;
    }

    /** Tokens that carry no code: comments and the markers around versioned-comment code. */
    public boolean isTrivia() {
        return this == COMMENT || this == VERSIONED_COMMENT_START || this == VERSIONED_COMMENT_END;
    }
}
