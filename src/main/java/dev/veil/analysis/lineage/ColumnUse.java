package dev.veil.analysis.lineage;

/**
 * A base column a statement uses without returning it: filtering, joining, grouping, ordering or windowing on a
 * column lets a client infer its values even when it is never selected.
 */
public record ColumnUse(ColumnRef column, Usage usage) implements Comparable<ColumnUse> {
    /**
     * FILTER: WHERE, HAVING, an aggregate's FILTER, INTERSECT / EXCEPT (rows kept by comparing values). JOIN: join
     * conditions. GROUP: GROUP BY, DISTINCT, DISTINCT ON. ORDER: ORDER BY, an aggregate's own ORDER BY.
     * WINDOW: PARTITION BY / ORDER BY of a window. Two more say which clause, on top of the above: HAVING (also
     * FILTER) and DISTINCT (also GROUP: a grouping without aggregates, which is what SELECT DISTINCT is planned
     * as, a UNION without ALL, DISTINCT ON). INEQUALITY, on top of FILTER or JOIN: the column is tested by something
     * other than plain equality of its stored value with a value or another column ({@code ssn LIKE '1%'},
     * {@code ssn > '5'}, {@code substr(ssn, 1, 3) = '123'}), which lets a client narrow its value down rather
     * than only confirm a guess. Equality ({@code =}, {@code <>}, {@code IN} a list, {@code IS [NOT] NULL},
     * {@code IS [NOT] DISTINCT FROM}) leaves it out.
     */
    public enum Usage { FILTER, JOIN, GROUP, ORDER, WINDOW, HAVING, DISTINCT, INEQUALITY }

    @Override
    public int compareTo(ColumnUse o) {
        int c = column.compareTo(o.column);
        return c != 0 ? c : usage.compareTo(o.usage);
    }
}
