package dev.veil.analysis.text;

/** How a statement touches a relation it names, as far as tokens tell. */
public enum RelationAccess {
    READ,
    WRITE,
    /** Created, altered, dropped, renamed, commented, granted on. */
    DEFINE
}
