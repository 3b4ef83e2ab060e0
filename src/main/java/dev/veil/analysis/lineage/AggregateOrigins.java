package dev.veil.analysis.lineage;

import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.metadata.BuiltInMetadata;
import org.apache.calcite.rel.metadata.MetadataDef;
import org.apache.calcite.rel.metadata.MetadataHandler;
import org.apache.calcite.rel.metadata.ReflectiveRelMetadataProvider;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataProvider;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.util.Optionality;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.HashSet;
import java.util.Set;

/**
 * Column origins of an aggregate's results, as Calcite's own handler gives them, and also the ordering column of
 * an ordered-set aggregate: {@code percentile_disc(0.5) WITHIN GROUP (ORDER BY ssn)} returns one of the ssn
 * values, though its only argument is the fraction (Calcite's handler reads the arguments only, so that value
 * had no origin at all). Chained in front of Calcite's providers; it answers for Aggregate nodes only.
 */
public final class AggregateOrigins implements MetadataHandler<BuiltInMetadata.ColumnOrigin> {
    public static final RelMetadataProvider SOURCE = ReflectiveRelMetadataProvider.reflectiveSource(
            new AggregateOrigins(), BuiltInMetadata.ColumnOrigin.Handler.class);

    private AggregateOrigins() {
    }

    @Override
    public MetadataDef<BuiltInMetadata.ColumnOrigin> getDef() {
        return BuiltInMetadata.ColumnOrigin.DEF;
    }

    /** Null (Calcite's answer is used) for a grouping column or an input whose origins are unknown. */
    public @Nullable Set<RelColumnOrigin> getColumnOrigins(Aggregate rel, RelMetadataQuery mq, int iOutputColumn) {
        if (iOutputColumn < rel.getGroupCount()) {
            return null;
        }
        AggregateCall call = rel.getAggCallList().get(iOutputColumn - rel.getGroupCount());
        Set<Integer> inputs = new HashSet<>(call.getArgList());
        if (call.getAggregation().requiresGroupOrder() == Optionality.MANDATORY) {
            for (RelFieldCollation c : call.getCollation().getFieldCollations()) {
                inputs.add(c.getFieldIndex());
            }
        }
        Set<RelColumnOrigin> out = new HashSet<>();
        for (int input : inputs) {
            Set<RelColumnOrigin> origins = mq.getColumnOrigins(rel.getInput(), input);
            if (origins == null) {
                return null;
            }
            for (RelColumnOrigin o : origins) {
                out.add(new RelColumnOrigin(o.getOriginTable(), o.getOriginColumnOrdinal(), true));
            }
        }
        return out;
    }
}
