package dev.veil.upstream.catalog;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.classification.CatalogTags;
import dev.veil.classification.ColumnClassification;
import dev.veil.classification.ColumnClassifier;
import dev.veil.classification.ColumnFacts;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classification of one (upstream, database) across its catalog loads. A new snapshot is tagged at once:
 * tables sampled before whose columns have not changed keep their tags, the others get what their names,
 * comments and types say. The tables still to sample ({@link #toSample}) are then sampled in the background and
 * the snapshot is tagged again ({@link #sampled}). A table is sampled again only when its columns change (DDL):
 * the values of an unchanged table are not read at every refresh. A table that held no values yet is sampled
 * again at the next read.
 */
final class CatalogTagger {
    /** What sampling concluded for a table, valid while its columns are these. */
    private record TableTags(List<ColumnInfo> columns, Map<String, ColumnClassification> tags) {
    }

    private final Map<List<String>, TableTags> sampled = new ConcurrentHashMap<>();

    /** The loaded catalog with tags from names, comments and types, and from earlier samples of unchanged tables. */
    LoadedCatalog initial(LoadedCatalog loaded) {
        CatalogSnapshot s = loaded.snapshot();
        Set<List<String>> present = new HashSet<>();
        s.userRelations().forEach(r -> present.add(List.of(r.schema(), r.name())));
        sampled.keySet().retainAll(present);
        return new LoadedCatalog(s.withTags(tags(s), s.version()), loaded.defaultNames());
    }

    /** Tables with a column worth sampling that have not been sampled with their present columns. */
    List<RelationInfo> toSample(CatalogSnapshot s) {
        return s.userRelations().stream()
                .filter(r -> r.kind() == RelationInfo.Kind.TABLE && !ColumnSampler.sampled(r).isEmpty())
                .filter(r -> !known(r))
                .toList();
    }

    /** The loaded catalog tagged again with these samples ({@code values} by [schema, table] and column), as a new version. */
    LoadedCatalog sampled(LoadedCatalog loaded, Map<List<String>, Map<String, List<String>>> values, long version) {
        CatalogSnapshot s = loaded.snapshot();
        for (RelationInfo r : s.userRelations()) {
            Map<String, List<String>> table = values.get(List.of(r.schema(), r.name()));
            if (table == null || table.values().stream().allMatch(List::isEmpty)) {
                // Not read, or nothing in it yet (a table just created): sampled again at the next catalog read.
                continue;
            }
            Map<String, ColumnClassification> tags = new LinkedHashMap<>();
            for (ColumnInfo c : r.columns()) {
                tags.put(c.name(), ColumnClassifier.classify(facts(c), table.getOrDefault(c.name(), List.of())));
            }
            sampled.put(List.of(r.schema(), r.name()), new TableTags(r.columns(), tags));
        }
        return new LoadedCatalog(s.withTags(tags(s), version), loaded.defaultNames());
    }

    private boolean known(RelationInfo r) {
        TableTags t = sampled.get(List.of(r.schema(), r.name()));
        return t != null && t.columns().equals(r.columns());
    }

    private CatalogTags tags(CatalogSnapshot s) {
        Map<List<String>, ColumnClassification> all = new LinkedHashMap<>();
        for (RelationInfo r : s.userRelations()) {
            TableTags t = sampled.get(List.of(r.schema(), r.name()));
            boolean current = t != null && t.columns().equals(r.columns());
            for (ColumnInfo c : r.columns()) {
                all.put(List.of(r.schema(), r.name(), c.name()),
                        current ? t.tags().get(c.name()) : ColumnClassifier.classify(facts(c)));
            }
        }
        return CatalogTags.of(all);
    }

    private static ColumnFacts facts(ColumnInfo c) {
        return new ColumnFacts(c.name(), c.type(), c.comment());
    }
}
