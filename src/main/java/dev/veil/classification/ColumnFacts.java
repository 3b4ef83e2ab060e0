package dev.veil.classification;

/**
 * What the catalog says of a column: its name, the type name as the server reports it (varchar, int8, inet,
 * DATETIME …) and its comment (empty when none).
 */
public record ColumnFacts(String name, String type, String comment) {
    public ColumnFacts {
        type = type == null ? "" : type;
        comment = comment == null ? "" : comment;
    }
}
