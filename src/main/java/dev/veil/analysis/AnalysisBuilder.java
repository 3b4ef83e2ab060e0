package dev.veil.analysis;

import dev.veil.analysis.lineage.ColumnUse;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.LineageReader;
import dev.veil.analysis.lineage.OutputColumn;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.analysis.text.DangerOrder;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** Collects what the parts of one statement contribute to its {@link Analysis}. */
final class AnalysisBuilder {
    StatementKind kind = StatementKind.READ;
    final Set<RelationAccess> relations = new TreeSet<>();
    final List<OutputColumn> columns = new ArrayList<>();
    Lineage otherColumns = Lineage.unknown("the statement returns no analysed result columns");
    final List<WrittenColumn> writes = new ArrayList<>();
    final Set<ColumnUse> uses = new TreeSet<>();
    boolean usesComplete = true;
    List<String> command = List.of();
    final SortedSet<String> functions = new TreeSet<>();
    final List<Effects.RowFilter> rowFilters = new ArrayList<>();
    final Set<Effects.Flag> flags = EnumSet.noneOf(Effects.Flag.class);
    boolean literalSensitive;

    /** Raises the kind; it never goes down. */
    void atLeast(StatementKind k) {
        if (DangerOrder.COMPARATOR.compare(k, kind) > 0) {
            kind = k;
        }
    }

    /** Adds what a planned query reads: its tables (with {@code action}) and the columns it filters, joins, groups on. */
    void reads(LineageReader.Result r, RelationAccess.Action action) {
        r.tablesRead().forEach(t -> relations.add(access(t, action)));
        uses.addAll(r.uses());
        usesComplete &= r.usesComplete();
    }

    void output(List<String> names, List<Lineage> lineages) {
        for (int i = 0; i < lineages.size(); i++) {
            columns.add(new OutputColumn(names.get(i), lineages.get(i)));
        }
    }

    static RelationAccess access(List<String> qualified, RelationAccess.Action action) {
        String schema = qualified.size() > 1 ? qualified.get(qualified.size() - 2) : "";
        return new RelationAccess(schema, qualified.get(qualified.size() - 1), action);
    }

    /** Takes the effects of a statement that runs as part of this one (a WITH item, EXPLAIN ANALYZE, COPY's query). */
    void effectsOf(AnalysisBuilder inner) {
        functions.addAll(inner.functions);
        rowFilters.addAll(inner.rowFilters);
        flags.addAll(inner.flags);
        literalSensitive |= inner.literalSensitive;
    }

    Analysis build(Dialect dialect, String fingerprint) {
        return new Analysis(dialect, kind, new ArrayList<>(relations), columns, otherColumns, writes, new TreeSet<>(uses),
                usesComplete, fingerprint, Optional.empty(),
                new Effects(command, functions, rowFilters, flags, literalSensitive, List.of()));
    }
}
