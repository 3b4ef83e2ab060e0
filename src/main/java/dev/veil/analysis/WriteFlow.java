package dev.veil.analysis;

import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.Origin;
import dev.veil.analysis.lineage.OutputColumn;
import dev.veil.analysis.lineage.WrittenColumn;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Within one statement, a column it writes can be read back with the written value: RETURNING shows the new
 * values of an UPDATE or INSERT, and a data-modifying WITH item hands them to the rest of the statement. Lineage
 * is read from the plan, which names the stored column (customers.email), not the value written into it, so
 * every output or written value traced to a column the statement writes also gets that write's source. This
 * over-reports where the old value was read (PostgreSQL's other sub-statements see the snapshot), which is safe;
 * under-reporting would not be.
 */
final class WriteFlow {
    /** Enough for a chain of data-modifying WITH items feeding each other. */
    private static final int MAX_PASSES = 4;

    private WriteFlow() {
    }

    static void apply(AnalysisBuilder out) {
        if (out.writes.isEmpty()) {
            return;
        }
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            boolean changed = false;
            List<WrittenColumn> writes = List.copyOf(out.writes);
            for (int i = 0; i < out.columns.size(); i++) {
                OutputColumn c = out.columns.get(i);
                Lineage l = through(c.lineage(), writes);
                if (!l.equals(c.lineage())) {
                    out.columns.set(i, new OutputColumn(c.name(), l));
                    changed = true;
                }
            }
            for (int i = 0; i < out.writes.size(); i++) {
                WrittenColumn w = out.writes.get(i);
                Lineage l = through(w.source(), writes);
                if (!l.equals(w.source())) {
                    out.writes.set(i, new WrittenColumn(w.column(), l));
                    changed = true;
                }
            }
            if (!changed) {
                return;
            }
        }
    }

    private static Lineage through(Lineage lineage, List<WrittenColumn> writes) {
        if (!(lineage instanceof Lineage.Known k)) {
            return lineage;
        }
        Lineage result = lineage;
        for (Origin o : k.origins()) {
            for (WrittenColumn w : writes) {
                if (w.column().equals(o.column())) {
                    result = result.merge(o.derived() ? derived(w.source()) : w.source());
                }
            }
        }
        return result;
    }

    private static Lineage derived(Lineage lineage) {
        if (!(lineage instanceof Lineage.Known k)) {
            return lineage;
        }
        Set<Origin> all = new TreeSet<>();
        k.origins().forEach(o -> all.add(new Origin(o.column(), true)));
        return Lineage.of(all);
    }
}
