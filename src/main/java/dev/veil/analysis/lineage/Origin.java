package dev.veil.analysis.lineage;

/**
 * One base column an output value comes from. {@code derived} is false when the value is the column's value
 * unchanged (through aliases, views, joins, unions), true when it was transformed on the way (an expression, a
 * function, an aggregate, a cast).
 */
public record Origin(ColumnRef column, boolean derived) implements Comparable<Origin> {
    @Override
    public int compareTo(Origin o) {
        int c = column.compareTo(o.column);
        return c != 0 ? c : Boolean.compare(derived, o.derived);
    }
}
