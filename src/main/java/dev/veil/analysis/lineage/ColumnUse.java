package dev.veil.analysis.lineage;

/**
 * A base column a statement uses without returning it: filtering, joining, grouping, ordering or windowing on a
 * column lets a client infer its values even when it is never selected.
 */
public record ColumnUse(ColumnRef column, Usage usage) implements Comparable<ColumnUse> {
    public enum Usage { FILTER, JOIN, GROUP, ORDER, WINDOW }

    @Override
    public int compareTo(ColumnUse o) {
        int c = column.compareTo(o.column);
        return c != 0 ? c : usage.compareTo(o.usage);
    }
}
