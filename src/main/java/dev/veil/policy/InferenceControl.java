package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.ColumnUse;
import dev.veil.analysis.lineage.ColumnUse.Usage;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A masked column that is filtered, joined, grouped, ordered, partitioned or de-duplicated on tells its values
 * without ever being returned ({@code WHERE ssn LIKE '1%'}). Each masked column the statement uses so is checked
 * against its directive's {@code filter}: none refuses every such use, equality allows equality comparisons,
 * equi-joins, GROUP BY and DISTINCT, any allows all. Allowed uses are the statement's probes.
 */
final class InferenceControl {
    /** The clauses named in a refusal, most telling first: the first one not allowed is named. */
    private static final List<Usage> NAMED = List.of(Usage.HAVING, Usage.FILTER, Usage.JOIN, Usage.DISTINCT, Usage.GROUP,
            Usage.ORDER, Usage.WINDOW, Usage.INEQUALITY);
    private static final Set<Usage> EQUALITY = EnumSet.of(Usage.FILTER, Usage.JOIN, Usage.GROUP, Usage.DISTINCT, Usage.HAVING);

    private InferenceControl() {
    }

    /** What the check found: a refusal's reason (null when allowed), and the probed columns otherwise. */
    record Verdict(String refusal, List<String> probes) {
    }

    static Verdict check(String rule, Analysis a, MaskTags masked) {
        Map<ColumnRef, Set<Usage>> byColumn = new LinkedHashMap<>();
        for (ColumnUse u : a.uses()) {
            byColumn.computeIfAbsent(u.column(), c -> EnumSet.noneOf(Usage.class)).add(u.usage());
        }
        List<String> probes = new ArrayList<>();
        for (Map.Entry<ColumnRef, Set<Usage>> e : byColumn.entrySet()) {
            List<MaskingPlan.Directive> ds = masked.of(e.getKey());
            if (ds.isEmpty()) {
                continue;
            }
            MaskingPlan.Filter filter = MaskTags.filter(ds);
            for (Usage usage : NAMED) {
                if (e.getValue().contains(usage) && !allowed(filter, usage)) {
                    return new Verdict(refusal(rule, e.getKey(), ds, filter, usage), List.of());
                }
            }
            probes.add(e.getKey().qualified());
        }
        if (!a.usesComplete() && masked.touchesMasked()) {
            return new Verdict("masking rule " + rule + ": Veil could not trace every column this statement filters, "
                    + "joins or groups on, so it cannot tell whether a column masked for you is among them; it is "
                    + "refused (fail closed). Rewrite it without correlated sub-queries, or use a role that sees the data",
                    List.of());
        }
        return new Verdict(null, probes);
    }

    private static boolean allowed(MaskingPlan.Filter filter, Usage usage) {
        return filter == MaskingPlan.Filter.ANY || filter == MaskingPlan.Filter.EQUALITY && EQUALITY.contains(usage);
    }

    private static String refusal(String rule, ColumnRef column, List<MaskingPlan.Directive> ds, MaskingPlan.Filter filter,
                                  Usage usage) {
        List<String> tags = ds.stream().map(MaskingPlan.Directive::tag).distinct().toList();
        String why = filter == MaskingPlan.Filter.EQUALITY
                ? " (its directive, filter: equality, allows only equality comparisons, equi-joins, GROUP BY and DISTINCT)"
                : "";
        return "masking rule " + rule + ": column " + column.qualified() + " (" + String.join(", ", tags)
                + ") is masked for you and cannot be used in " + clause(usage) + why
                + " (an approval does not lift this); use a role that sees it";
    }

    private static String clause(Usage usage) {
        return switch (usage) {
            case FILTER -> "WHERE (or another filter: INTERSECT, EXCEPT, an aggregate's FILTER)";
            case JOIN -> "a JOIN condition";
            case GROUP -> "GROUP BY";
            case DISTINCT -> "DISTINCT (or a UNION without ALL)";
            case ORDER -> "ORDER BY";
            case WINDOW -> "a window's PARTITION BY or ORDER BY";
            case HAVING -> "HAVING";
            case INEQUALITY -> "a comparison other than equality (a range, LIKE, a function of it)";
        };
    }
}
