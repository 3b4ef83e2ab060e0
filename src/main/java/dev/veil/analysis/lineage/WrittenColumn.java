package dev.veil.analysis.lineage;

/**
 * A column a statement writes and where the written values come from: copying {@code ssn} into an unmasked
 * column shows up here as an origin.
 */
public record WrittenColumn(ColumnRef column, Lineage source) {
}
