package dev.veil.masking;

/** The values of a kind that are not a number or a calendar day, as the codecs decode them. */
enum Special {
    /** PostgreSQL numeric, date and timestamps: 'infinity'. */
    INFINITY,
    /** PostgreSQL numeric, date and timestamps: '-infinity'. */
    MINUS_INFINITY,
    /** PostgreSQL numeric 'NaN'. */
    NAN,
    /** MySQL's zero date '0000-00-00' (and zero DATETIME), which no calendar holds. */
    ZERO_DATE,
    /** An array without elements: what redact makes of an array. */
    EMPTY_ARRAY
}
