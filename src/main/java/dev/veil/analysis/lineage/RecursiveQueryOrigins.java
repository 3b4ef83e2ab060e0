package dev.veil.analysis.lineage;

import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.core.RepeatUnion;
import org.apache.calcite.rel.core.Spool;
import org.apache.calcite.rel.metadata.BuiltInMetadata;
import org.apache.calcite.rel.metadata.MetadataDef;
import org.apache.calcite.rel.metadata.MetadataHandler;
import org.apache.calcite.rel.metadata.ReflectiveRelMetadataProvider;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataProvider;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Column origins of a recursive CTE (Calcite's RepeatUnion), which Calcite's own handler does not know: a column
 * holds its seed's values and what each iteration computes, and an iteration reads the previous one's rows from
 * the working table. So a column's origins are the seed's, plus the iteration's stored columns, plus, for each
 * working-table column the iteration reads, that column's origins: a fixed point, reached in at most as many
 * rounds as there are columns (each round adds the origins of at least one more column or stops).
 */
public final class RecursiveQueryOrigins implements MetadataHandler<BuiltInMetadata.ColumnOrigin> {
    public static final RelMetadataProvider SOURCE = ReflectiveRelMetadataProvider.reflectiveSource(
            new RecursiveQueryOrigins(), BuiltInMetadata.ColumnOrigin.Handler.class);

    private RecursiveQueryOrigins() {
    }

    @Override
    public MetadataDef<BuiltInMetadata.ColumnOrigin> getDef() {
        return BuiltInMetadata.ColumnOrigin.DEF;
    }

    /** A spool passes its input's rows through (and keeps them in the working table). */
    public @Nullable Set<RelColumnOrigin> getColumnOrigins(Spool rel, RelMetadataQuery mq, int iOutputColumn) {
        return mq.getColumnOrigins(rel.getInput(), iOutputColumn);
    }

    /** Null (unknown) when the seed's or the iteration's origins are. */
    public @Nullable Set<RelColumnOrigin> getColumnOrigins(RepeatUnion rel, RelMetadataQuery mq, int iOutputColumn) {
        int n = rel.getRowType().getFieldCount();
        List<Set<RelColumnOrigin>> seed = new ArrayList<>();
        List<Set<RelColumnOrigin>> iteration = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Set<RelColumnOrigin> s = mq.getColumnOrigins(rel.getSeedRel(), i);
            Set<RelColumnOrigin> it = mq.getColumnOrigins(rel.getIterativeRel(), i);
            if (s == null || it == null) {
                return null;
            }
            seed.add(s);
            iteration.add(it);
        }
        RelOptTable working = rel.getTransientTable();
        List<Set<RelColumnOrigin>> result = new ArrayList<>();
        seed.forEach(s -> result.add(new HashSet<>(s)));
        for (int round = 0; round <= n; round++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                for (RelColumnOrigin o : iteration.get(i)) {
                    if (working != null && o.getOriginTable().getQualifiedName().equals(working.getQualifiedName())) {
                        for (RelColumnOrigin w : List.copyOf(result.get(o.getOriginColumnOrdinal()))) {
                            changed |= result.get(i).add(new RelColumnOrigin(w.getOriginTable(),
                                    w.getOriginColumnOrdinal(), w.isDerived() || o.isDerived()));
                        }
                    } else {
                        changed |= result.get(i).add(o);
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        return result.get(iOutputColumn);
    }
}
