package dev.veil.analysis;

import java.util.List;

/**
 * The session state that decides what an unqualified name means: PostgreSQL's database and search_path, MySQL's
 * current database (then {@code schemaPath} is that one database, or empty when none is selected).
 */
public record NameResolution(String database, List<String> schemaPath) {
    public NameResolution {
        schemaPath = List.copyOf(schemaPath);
    }

    public static NameResolution postgres(String database, String... searchPath) {
        return new NameResolution(database, searchPath.length == 0 ? List.of("public") : List.of(searchPath));
    }

    public static NameResolution mysql(String currentDatabase) {
        String db = currentDatabase == null ? "" : currentDatabase;
        return new NameResolution(db, db.isEmpty()
                ? List.of() : List.of(db));
    }
}
