package dev.veil.classification;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classification of every column of one catalog snapshot, by (schema, relation, column); immutable. Equality
 * is identity: snapshots and analyses hold it, and caches compare those by identity too.
 */
public final class CatalogTags {
    public static final CatalogTags NONE = new CatalogTags(Map.of());

    private final Map<List<String>, ColumnClassification> columns;

    private CatalogTags(Map<List<String>, ColumnClassification> columns) {
        this.columns = columns;
    }

    /** {@code columns} by [schema, relation, column]; columns without tags may be left out. */
    public static CatalogTags of(Map<List<String>, ColumnClassification> columns) {
        Map<List<String>, ColumnClassification> copy = new LinkedHashMap<>();
        columns.forEach((k, v) -> {
            if (!v.tags().isEmpty()) {
                copy.put(List.copyOf(k), v);
            }
        });
        return copy.isEmpty() ? NONE : new CatalogTags(Collections.unmodifiableMap(copy));
    }

    public ColumnClassification of(String schema, String relation, String column) {
        return columns.getOrDefault(List.of(schema == null ? "" : schema, relation, column), ColumnClassification.NONE);
    }

    /** The tagged columns, by [schema, relation, column]. */
    public Map<List<String>, ColumnClassification> tagged() {
        return columns;
    }

    @Override
    public String toString() {
        return "CatalogTags[" + columns.size() + " tagged columns]";
    }
}
