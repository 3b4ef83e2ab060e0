package dev.veil.analysis.catalog;

import dev.veil.analysis.Dialect;
import dev.veil.classification.CatalogTags;
import org.apache.calcite.jdbc.CalciteSchema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable picture of one upstream database's relations, with a version that changes whenever the picture
 * does (analyses are cached per version). For MySQL, schemas are databases. The system catalogs clients query
 * (pg_catalog / information_schema, MySQL's information_schema and mysql) are added by {@link SystemCatalogs}
 * unless the loader supplied them. Each column's classification ({@link #tags()}) travels with the snapshot: a
 * snapshot with new tags is a new snapshot, with a new version.
 */
public final class CatalogSnapshot {
    private final Dialect dialect;
    private final String database;
    private final long version;
    private final Map<String, Map<String, RelationInfo>> schemas;
    private final CatalogTags tags;
    private volatile CalciteSchema calcite;
    private volatile Set<String> columnNames;

    private CatalogSnapshot(Dialect dialect, String database, long version, Map<String, Map<String, RelationInfo>> schemas,
                            CatalogTags tags) {
        this.dialect = dialect;
        this.database = database;
        this.version = version;
        this.schemas = schemas;
        this.tags = tags;
    }

    public static Builder builder(Dialect dialect, String database) {
        return new Builder(dialect, database);
    }

    public Dialect dialect() {
        return dialect;
    }

    public String database() {
        return database;
    }

    public long version() {
        return version;
    }

    public List<String> schemaNames() {
        return List.copyOf(schemas.keySet());
    }

    public List<RelationInfo> relations() {
        List<RelationInfo> out = new ArrayList<>();
        schemas.values().forEach(m -> out.addAll(m.values()));
        return Collections.unmodifiableList(out);
    }

    /** The relations of the database's own schemas, without the system catalogs. */
    public List<RelationInfo> userRelations() {
        return relations().stream().filter(r -> !SystemCatalogs.system(dialect, r.schema())).toList();
    }

    public Optional<RelationInfo> relation(String schema, String name) {
        Map<String, RelationInfo> s = schemas.get(schema);
        return Optional.ofNullable(s == null ? null : s.get(name));
    }

    /** A copy with another version number (the loader bumps it when a refresh finds changes). */
    public CatalogSnapshot withVersion(long newVersion) {
        return new CatalogSnapshot(dialect, database, newVersion, schemas, tags);
    }

    /** The classification of the columns (NONE until classified). */
    public CatalogTags tags() {
        return tags;
    }

    /** A copy with these tags and another version: analyses (and so decisions) of the old one are not reused. */
    public CatalogSnapshot withTags(CatalogTags newTags, long newVersion) {
        return new CatalogSnapshot(dialect, database, newVersion, schemas, newTags);
    }

    /** Whether some relation of the snapshot has a column called {@code name} (exactly); the set is built once. */
    public boolean hasColumnNamed(String name) {
        Set<String> names = columnNames;
        if (names == null) {
            Set<String> all = new HashSet<>();
            relations().forEach(r -> r.columns().forEach(c -> all.add(c.name())));
            names = Set.copyOf(all);
            columnNames = names;
        }
        return names.contains(name);
    }

    /** The Calcite root schema for this snapshot, built once; Calcite only reads it, so analyses share it. */
    public CalciteSchema calciteSchema() {
        CalciteSchema c = calcite;
        if (c == null) {
            synchronized (this) {
                c = calcite;
                if (c == null) {
                    c = SnapshotSchema.build(this);
                    calcite = c;
                }
            }
        }
        return c;
    }

    Map<String, Map<String, RelationInfo>> schemaMap() {
        return schemas;
    }

    @Override
    public String toString() {
        return "CatalogSnapshot[" + dialect + " " + database + " v" + version + ", " + relations().size() + " relations]";
    }

    public static final class Builder {
        private final Dialect dialect;
        private final String database;
        private long version = 1;
        private final Map<String, Map<String, RelationInfo>> schemas = new LinkedHashMap<>();

        private Builder(Dialect dialect, String database) {
            this.dialect = dialect;
            this.database = database;
        }

        public Builder version(long v) {
            this.version = v;
            return this;
        }

        /** Declares a schema even when it holds no relations (so that it is on the search path). */
        public Builder schema(String name) {
            schemas.computeIfAbsent(name, k -> new LinkedHashMap<>());
            return this;
        }

        public Builder relation(RelationInfo r) {
            schemas.computeIfAbsent(r.schema(), k -> new LinkedHashMap<>()).put(r.name(), r);
            return this;
        }

        public Builder table(String schema, String name, ColumnInfo... columns) {
            return relation(RelationInfo.table(schema, name, List.of(columns)));
        }

        public Builder view(String schema, String name, String sql, ColumnInfo... columns) {
            return relation(RelationInfo.view(schema, name, List.of(columns), sql));
        }

        public CatalogSnapshot build() {
            Map<String, Map<String, RelationInfo>> all = new LinkedHashMap<>();
            schemas.forEach((k, v) -> all.put(k, new LinkedHashMap<>(v)));
            SystemCatalogs.addMissing(dialect, all);
            Map<String, Map<String, RelationInfo>> frozen = new LinkedHashMap<>();
            all.forEach((k, v) -> frozen.put(k, Collections.unmodifiableMap(v)));
            return new CatalogSnapshot(dialect, database, version, Collections.unmodifiableMap(frozen), CatalogTags.NONE);
        }
    }
}
