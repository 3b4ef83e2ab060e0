package dev.veil.analysis.catalog;

/**
 * A server function as a call by its id names it (PostgreSQL's fast-path FunctionCall carries only the pg_proc
 * oid). {@code readOnly} is true for functions declared IMMUTABLE or STABLE, which PostgreSQL runs on a read-only
 * snapshot; a VOLATILE one may change anything.
 */
public record RoutineInfo(long oid, String schema, String name, boolean readOnly) {
}
