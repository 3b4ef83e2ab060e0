package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;

/**
 * Session settings that change how the server itself splits text into tokens. Getting them wrong is how
 * quote-smuggling works ({@code 'a\'; DROP …} reads differently with and without backslash escapes), so the
 * session must pass what the server really uses: PostgreSQL reports {@code standard_conforming_strings} in
 * ParameterStatus; MySQL reports NO_BACKSLASH_ESCAPES in the OK packet's status flags and ANSI_QUOTES is part
 * of {@code sql_mode}. Only the fields of the settings' own dialect are read.
 *
 * @param standardConformingStrings PostgreSQL: plain '…' strings treat backslash literally (default on)
 * @param backslashEscapes          MySQL: backslash escapes in strings (off under NO_BACKSLASH_ESCAPES)
 * @param ansiQuotes                MySQL: "…" quotes an identifier, not a string (sql_mode ANSI_QUOTES)
 */
public record LexicalSettings(Dialect dialect, boolean standardConformingStrings, boolean backslashEscapes,
                              boolean ansiQuotes) {

    public static LexicalSettings defaults(Dialect dialect) {
        return dialect == Dialect.POSTGRESQL
                ? new LexicalSettings(dialect, true, false, true)
                : new LexicalSettings(dialect, false, true, false);
    }

    public boolean postgres() {
        return dialect == Dialect.POSTGRESQL;
    }

    public LexicalSettings withBackslashEscapes(boolean on) {
        return new LexicalSettings(dialect, standardConformingStrings, on, ansiQuotes);
    }

    public LexicalSettings withAnsiQuotes(boolean on) {
        return new LexicalSettings(dialect, standardConformingStrings, backslashEscapes, on);
    }

    public LexicalSettings withStandardConformingStrings(boolean on) {
        return new LexicalSettings(dialect, on, backslashEscapes, ansiQuotes);
    }

    /*
     * Written out: compared and hashed on every statement (the analysis cache's key, the text-reading memo), and the
     * record's generated methods went through method handles that showed in the profile.
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof LexicalSettings s && s.dialect == dialect
                && s.standardConformingStrings == standardConformingStrings && s.backslashEscapes == backslashEscapes
                && s.ansiQuotes == ansiQuotes;
    }

    @Override
    public int hashCode() {
        return dialect.ordinal() * 8 + (standardConformingStrings ? 4 : 0) + (backslashEscapes ? 2 : 0) + (ansiQuotes ? 1 : 0);
    }
}
