package dev.veil.analysis;

import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.ColumnUse;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.OutputColumn;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.classification.CatalogTags;
import dev.veil.classification.ColumnClassification;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one statement does, as policy needs it: its kind, the relations it touches, the lineage of every output
 * column, what it writes and from where, the columns it filters / joins / groups / orders on, and its fingerprint.
 *
 * <p>When analysis failed ({@link #failure()} present) the kind and relations come from a conservative token scan,
 * {@link #columns()} is empty and {@link #lineage(int)} answers Unknown for every column: fail closed.
 *
 * @param otherColumns the lineage of result columns not listed in {@code columns}: None for statements whose
 *                     result never holds table data (SHOW, EXPLAIN, SET), Unknown otherwise
 * @param usesComplete false when some predicate / join / grouping input could not be traced to base columns, so
 *                     {@code uses} may be missing columns
 * @param tags         the classification of the catalog snapshot the statement was analysed against (its base
 *                     columns' tags: {@link #tags(ColumnRef)}); NONE when analysed without one
 */
public record Analysis(Dialect dialect, StatementKind kind, List<RelationAccess> relations,
                       List<OutputColumn> columns, Lineage otherColumns, List<WrittenColumn> writes, SortedSet<ColumnUse> uses,
                       boolean usesComplete, String fingerprint, Optional<String> failure, Effects effects,
                       CatalogTags tags) {
    public Analysis {
        relations = List.copyOf(new TreeSet<>(relations));
        columns = List.copyOf(columns);
        writes = List.copyOf(writes);
        uses = Collections.unmodifiableSortedSet(new TreeSet<>(uses));
        if (effects == null) {
            effects = Effects.NONE;
        }
        if (tags == null) {
            tags = CatalogTags.NONE;
        }
    }

    public Analysis(Dialect dialect, StatementKind kind, List<RelationAccess> relations, List<OutputColumn> columns,
                    Lineage otherColumns, List<WrittenColumn> writes, SortedSet<ColumnUse> uses, boolean usesComplete,
                    String fingerprint, Optional<String> failure, Effects effects) {
        this(dialect, kind, relations, columns, otherColumns, writes, uses, usesComplete, fingerprint, failure, effects,
                CatalogTags.NONE);
    }

    /** Without effects beyond kind, relations and columns (statements built by hand: tests, tools). */
    public Analysis(Dialect dialect, StatementKind kind, List<RelationAccess> relations, List<OutputColumn> columns,
                    Lineage otherColumns, List<WrittenColumn> writes, SortedSet<ColumnUse> uses, boolean usesComplete,
                    String fingerprint, Optional<String> failure) {
        this(dialect, kind, relations, columns, otherColumns, writes, uses, usesComplete, fingerprint, failure, Effects.NONE);
    }

    public static Analysis failed(Dialect dialect, StatementKind kind, List<RelationAccess> relations,
                                  String fingerprint, String reason) {
        return failed(dialect, kind, relations, fingerprint, reason, List.of());
    }

    /** A multi-statement text is not analysed as one; {@code parts} are the analyses of its statements. */
    public static Analysis failed(Dialect dialect, StatementKind kind, List<RelationAccess> relations,
                                  String fingerprint, String reason, List<Analysis> parts) {
        Effects effects = parts.isEmpty() ? Effects.NONE : new Effects(List.of(), new TreeSet<>(), List.of(), Set.of(),
                parts.stream().anyMatch(p -> p.effects().literalSensitive()), parts);
        return new Analysis(dialect, kind, relations, List.of(), Lineage.unknown(reason), List.of(), new TreeSet<>(),
                false, fingerprint, Optional.of(reason), effects);
    }

    /** The same analysis with the classification of the snapshot it was made against. */
    public Analysis withTags(CatalogTags catalogTags) {
        return new Analysis(dialect, kind, relations, columns, otherColumns, writes, uses, usesComplete, fingerprint,
                failure, effects, catalogTags);
    }

    /** The classifier's tags of a base column (before the policy file's tags section is applied). */
    public ColumnClassification tags(ColumnRef column) {
        return tags.of(column.schema(), column.relation(), column.column());
    }

    public boolean analysed() {
        return failure.isEmpty();
    }

    /** The lineage of output column {@code index}; Unknown (never null) when analysis failed or there is no such column. */
    public Lineage lineage(int index) {
        if (failure.isPresent()) {
            return Lineage.unknown(failure.get());
        }
        if (index < 0) {
            return Lineage.unknown("no output column " + index);
        }
        if (index >= columns.size()) {
            return otherColumns;
        }
        return columns.get(index).lineage();
    }

    public Set<ColumnUse> uses(ColumnUse.Usage usage) {
        Set<ColumnUse> out = new TreeSet<>();
        uses.stream().filter(u -> u.usage() == usage).forEach(out::add);
        return out;
    }
}
