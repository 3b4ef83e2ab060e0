package dev.veil.admin;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.Origin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON shape of an {@link Analysis}: lineage carries an explicit {@code "lineage": "known" | "none" |
 * "unknown"} so that clients never have to guess from which fields are present.
 */
public final class AnalysisJson {
    private AnalysisJson() {
    }

    public static Map<String, Object> of(Analysis a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dialect", a.dialect().name().toLowerCase(Locale.ROOT));
        out.put("kind", a.kind().name());
        out.put("analysed", a.analysed());
        a.failure().ifPresent(f -> out.put("failure", f));
        out.put("fingerprint", a.fingerprint());
        List<Map<String, Object>> relations = new ArrayList<>();
        a.relations().forEach(r -> relations.add(pair("relation", r.qualified(), "action", r.action().name())));
        out.put("relations", relations);
        List<Map<String, Object>> columns = new ArrayList<>();
        a.columns().forEach(c -> {
            Map<String, Object> col = new LinkedHashMap<>();
            col.put("name", c.name());
            col.putAll(lineage(c.lineage()));
            columns.add(col);
        });
        out.put("columns", columns);
        out.put("otherColumns", lineage(a.otherColumns()));
        List<Map<String, Object>> writes = new ArrayList<>();
        a.writes().forEach(w -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("column", w.column().qualified());
            m.put("source", lineage(w.source()));
            writes.add(m);
        });
        out.put("writes", writes);
        List<Map<String, Object>> uses = new ArrayList<>();
        a.uses().forEach(u -> uses.add(pair("column", u.column().qualified(), "usage", u.usage().name())));
        out.put("uses", uses);
        out.put("usesComplete", a.usesComplete());
        return out;
    }

    private static Map<String, Object> lineage(Lineage l) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (l instanceof Lineage.Known k) {
            m.put("lineage", "known");
            List<Map<String, Object>> origins = new ArrayList<>();
            for (Origin o : k.origins()) {
                origins.add(pair("column", o.column().qualified(), "derived", o.derived()));
            }
            m.put("origins", origins);
        } else if (l instanceof Lineage.Unknown u) {
            m.put("lineage", "unknown");
            m.put("reason", u.reason());
        } else {
            m.put("lineage", "none");
        }
        return m;
    }

    /** Two fields in the order given: Map.of's order changes from one run to the next, and readers diff the output. */
    private static Map<String, Object> pair(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
