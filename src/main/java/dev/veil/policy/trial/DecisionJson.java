package dev.veil.policy.trial;

import dev.veil.policy.Decision;
import dev.veil.policy.MaskingPlan;
import dev.veil.policy.RowCeiling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shape of a {@link Decision} in the decide API and the policy tools' reports. */
public final class DecisionJson {
    private DecisionJson() {
    }

    public static Map<String, Object> of(Decision d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("verdict", PolicyTrial.verdict(d));
        out.put("rule", d.rule());
        out.put("reason", PolicyTrial.reason(d));
        out.put("policyVersion", d.policyVersion());
        List<Map<String, Object>> observed = new ArrayList<>();
        for (Decision.Observation o : d.observed()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", o.rule());
            m.put("mode", "observe");
            m.put("verdict", PolicyTrial.verdict(o.wouldHave()));
            m.put("reason", PolicyTrial.reason(o.wouldHave()));
            observed.add(m);
        }
        out.put("observed", observed);
        if (d instanceof Decision.Allow allow && allow.ceiling() != null) {
            out.put("ceiling", ceiling(allow.ceiling()));
        }
        if (d instanceof Decision.Allow allow && !allow.masking().isEmpty()) {
            List<Map<String, Object>> masks = new ArrayList<>();
            for (MaskingPlan.Directive m : allow.masking().directives()) {
                masks.add(Map.of("tag", m.tag(), "masker", m.masker()));
            }
            out.put("mask", masks);
        }
        return out;
    }

    /** An affected-rows ceiling the statement runs under: {rule, max-rows, mode}. */
    public static Map<String, Object> ceiling(RowCeiling c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", c.rule());
        m.put("max-rows", c.maxRows());
        m.put("mode", c.observe() ? "observe" : "enforce");
        return m;
    }
}
