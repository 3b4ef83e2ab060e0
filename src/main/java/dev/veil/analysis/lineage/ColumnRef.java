package dev.veil.analysis.lineage;

import java.util.Comparator;

/** A stored column: schema (a MySQL database), relation and column name, as the catalog spells them. */
public record ColumnRef(String schema, String relation, String column) implements Comparable<ColumnRef> {
    private static final Comparator<ColumnRef> ORDER = Comparator.comparing(ColumnRef::schema)
            .thenComparing(ColumnRef::relation).thenComparing(ColumnRef::column);

    /** {@code schema.relation.column}, the form tests and policy files use. */
    public String qualified() {
        return schema + "." + relation + "." + column;
    }

    @Override
    public int compareTo(ColumnRef o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return qualified();
    }
}
