package dev.veil.frontend;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Server errors and notices that echo values, scrubbed for a statement whose results are masked: a value that
 * is masked in the rows must not come back in a message instead. PostgreSQL puts offending values in the
 * message between double quotes ({@code invalid input syntax for type integer: "123-45-6789"}) and in DETAIL
 * ({@code Key (email)=(a@b.c) already exists.}); WHERE and the internal query can quote the statement's values.
 * MySQL quotes them with single quotes ({@code Duplicate entry 'a@b.c' for key 'email'},
 * {@code Truncated incorrect DOUBLE value: '…'}). Every quoted part becomes {@code ***}, but for the statement's own
 * relation and column names ({@code keep}, lower case, from its analysis: {@code null value in column "email" of
 * relation "customers"}); SQLSTATE and errno stay. A constraint or index name is not in the analysis and is hidden.
 */
public final class MaskedErrors {
    public static final String HIDDEN = "***";

    private MaskedErrors() {
    }

    /**
     * A PostgreSQL ErrorResponse / NoticeResponse's fields, scrubbed in place: DETAIL (D), WHERE (W) and the
     * internal query (q) dropped, the message (M) with its double-quoted parts hidden.
     */
    public static void scrubPostgres(Map<Character, String> fields) {
        scrubPostgres(fields, Set.of());
    }

    /** As {@link #scrubPostgres(Map)}, keeping the quoted parts that are one of {@code keep}. */
    public static void scrubPostgres(Map<Character, String> fields, Set<String> keep) {
        fields.remove('D');
        fields.remove('W');
        fields.remove('q');
        fields.remove('p');
        String message = fields.get('M');
        if (message != null) {
            fields.put('M', hideQuoted(message, '"', keep));
        }
    }

    /** A MySQL ERR message with its single-quoted parts hidden. */
    public static String scrubMySql(String message) {
        return scrubMySql(message, Set.of());
    }

    /** As {@link #scrubMySql(String)}, keeping the quoted parts that are one of {@code keep}. */
    public static String scrubMySql(String message, Set<String> keep) {
        return hideQuoted(message, '\'', keep);
    }

    /** Every {@code quote}-delimited part of {@code text} as {@code quote***quote}; an unclosed quote hides the rest. */
    static String hideQuoted(String text, char quote) {
        return hideQuoted(text, quote, Set.of());
    }

    static String hideQuoted(String text, char quote, Set<String> keep) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf(quote, i);
            if (open < 0) {
                out.append(text, i, text.length());
                break;
            }
            int close = text.indexOf(quote, open + 1);
            // A doubled quote inside the value ('it''s') continues the value.
            while (close >= 0 && close + 1 < text.length() && text.charAt(close + 1) == quote) {
                close = text.indexOf(quote, close + 2);
            }
            boolean kept = close >= 0 && keep.contains(text.substring(open + 1, close).toLowerCase(Locale.ROOT));
            out.append(text, i, open + 1).append(kept ? text.substring(open + 1, close) : HIDDEN).append(quote);
            if (close < 0) {
                break;
            }
            i = close + 1;
        }
        return out.toString();
    }
}
