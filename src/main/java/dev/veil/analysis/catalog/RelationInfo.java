package dev.veil.analysis.catalog;

import java.util.List;

/**
 * A table or view. A view keeps its defining query ({@code viewSql}, in the dialect of the catalog) so lineage
 * can go through it to base columns; it is empty for tables.
 */
public record RelationInfo(String schema, String name, Kind kind, List<ColumnInfo> columns, String viewSql) {
    public enum Kind { TABLE, VIEW }

    public RelationInfo {
        columns = List.copyOf(columns);
        if (kind == Kind.VIEW && viewSql.isBlank()) {
            throw new IllegalArgumentException("view " + schema + "." + name + " has no definition");
        }
    }

    public static RelationInfo table(String schema, String name, List<ColumnInfo> columns) {
        return new RelationInfo(schema, name, Kind.TABLE, columns, "");
    }

    public static RelationInfo view(String schema, String name, List<ColumnInfo> columns, String viewSql) {
        return new RelationInfo(schema, name, Kind.VIEW, columns, viewSql);
    }
}
