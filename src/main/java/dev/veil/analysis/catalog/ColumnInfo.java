package dev.veil.analysis.catalog;

/**
 * One column of a relation: name, the type name as the server reports it (int4, varchar, DATETIME …), nullability,
 * and its comment (empty when none; the classifier reads it).
 */
public record ColumnInfo(String name, String type, boolean nullable, String comment) {
    public ColumnInfo {
        comment = comment == null ? "" : comment;
    }

    public ColumnInfo(String name, String type, boolean nullable) {
        this(name, type, nullable, "");
    }
}
