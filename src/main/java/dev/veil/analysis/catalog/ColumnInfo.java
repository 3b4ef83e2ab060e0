package dev.veil.analysis.catalog;

/** One column of a relation: name, the type name as the server reports it (int4, varchar, DATETIME …), nullability. */
public record ColumnInfo(String name, String type, boolean nullable) {
}
