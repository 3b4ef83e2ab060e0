package dev.veil.session;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.OutputColumn;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.audit.AuditEvent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What of an {@link Analysis} goes into the audit trail: kind, relations, base columns read and written, lineage. */
public final class AnalysisSummary {
    private AnalysisSummary() {
    }

    public static AuditEvent.Analysis of(Analysis a) {
        List<String> relations = a.relations().stream()
                .map(r -> r.qualified() + ":" + r.action().name().toLowerCase()).distinct().toList();
        Set<AuditEvent.ColumnAccess> columns = new LinkedHashSet<>();
        // otherColumns is Unknown for any query (columns it did not list); it only matters when none is listed.
        boolean unknown = a.failure().isPresent()
                || (a.columns().isEmpty() && a.writes().isEmpty() && a.otherColumns() instanceof Lineage.Unknown);
        boolean known = false;
        for (OutputColumn c : a.columns()) {
            if (c.lineage() instanceof Lineage.Known k) {
                known = true;
                k.columns().forEach(ref -> columns.add(access(ref, "read")));
            } else if (c.lineage() instanceof Lineage.Unknown) {
                unknown = true;
            }
        }
        for (WrittenColumn w : a.writes()) {
            columns.add(access(w.column(), "write"));
        }
        String lineage = unknown ? (known ? "partial" : "unknown") : "known";
        return new AuditEvent.Analysis(a.kind().name(), relations, new ArrayList<>(columns), lineage);
    }

    private static AuditEvent.ColumnAccess access(ColumnRef ref, String access) {
        String relation = ref.schema() == null || ref.schema().isEmpty() ? ref.relation() : ref.schema() + "." + ref.relation();
        return new AuditEvent.ColumnAccess(relation, ref.column(), access, List.of());
    }

}
