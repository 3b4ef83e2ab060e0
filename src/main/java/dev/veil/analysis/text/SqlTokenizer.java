package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;


/**
 * Dialect-aware SQL tokenizer. It follows the servers' own lexers (PostgreSQL {@code scan.l}, MySQL
 * {@code sql_lex.cc}) closely enough to find every string, identifier, comment and statement boundary the
 * server would find. It never throws: malformed input yields {@link TokenKind#ERROR} tokens and
 * {@link Tokens#malformed()}.
 *
 * <p>Quirks handled, by dialect:
 * <ul>
 *   <li>both: '…' with '' doubling, X'…' and B'…', N'…', -- comments, /* *}{@code /} comments, "…";</li>
 *   <li>PostgreSQL: E'…' with backslash escapes, U&amp;'…' / U&amp;"…" with optional UESCAPE, $tag$…$tag$
 *       (but $1 is a parameter and {@code a$b} an identifier), nested block comments, generic operators
 *       ({@code ::}, {@code ->>}, {@code @>}, {@code ?|} …) cut by the "may not end in + or -" rule; {@code ?}
 *       is an operator (the jsonb one), never a parameter;</li>
 *   <li>MySQL: backslash escapes (unless NO_BACKSLASH_ESCAPES), "…" strings (identifiers under ANSI_QUOTES),
 *       `…` identifiers with `` doubling, # comments, -- only when followed by a space or control character,
 *       non-nesting block comments, versioned {@code /*!50100 … *}{@code /} and MariaDB {@code /*M! … *}{@code /}
 *       whose contents are tokenized as code, {@code @var}/{@code @@sysvar}, {@code ?} parameters,
 *       {@code _utf8mb4'…'} introducers, 0x… / 0b… literals, identifiers that start with digits.</li>
 * </ul>
 */
public final class SqlTokenizer {
    private final LexicalSettings settings;

    public SqlTokenizer(LexicalSettings settings) {
        this.settings = settings;
    }

    public static SqlTokenizer forDialect(Dialect dialect) {
        return new SqlTokenizer(LexicalSettings.defaults(dialect));
    }

    public LexicalSettings settings() {
        return settings;
    }

    public Tokens tokenize(String sql) {
        return new Lexer(sql == null ? "" : sql, settings).run();
    }
}
