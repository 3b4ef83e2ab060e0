package dev.veil.policy;

import dev.veil.masking.Masker;
import dev.veil.policy.YamlTree.Entry;
import dev.veil.policy.YamlTree.Mapping;
import dev.veil.policy.YamlTree.Node;
import dev.veil.policy.YamlTree.Sequence;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The masking parts of a policy file (see docs/policy.md, "Masking"): a mask rule's {@code mask} list (tag,
 * masker, filter) and {@code unknown-lineage}, and the top-level {@code masking} section. Mistakes go to the
 * parser with their line and column, like every other mistake in the file.
 */
final class MaskSection {
    /** Probes allowed per identity per hour when the file does not say. */
    static final int DEFAULT_PROBING_BUDGET = 100;

    private MaskSection() {
    }

    static List<MaskingPlan.Directive> directives(PolicyParser p, Entry mask, String where) {
        List<MaskingPlan.Directive> out = new ArrayList<>();
        if (!(mask.value() instanceof Sequence s) || s.items().isEmpty()) {
            p.mistake(mask.value().at(), where + ": mask: expected a list of {tag, masker}, found " + mask.value().shape());
            return out;
        }
        for (Node item : s.items()) {
            Mapping m = p.mapping(item, where + ": mask");
            if (m == null) {
                continue;
            }
            p.keys(m, Set.of("tag", "masker", "filter"), where + ": mask");
            String tag = required(p, m, "tag", where + ": mask");
            String masker = required(p, m, "masker", where + ": mask");
            if (masker != null) {
                try {
                    Masker.parse(masker);
                } catch (IllegalArgumentException e) {
                    p.mistake(m.entries().get("masker").value().at(), where + ": mask: " + e.getMessage());
                    masker = null;
                }
            }
            MaskingPlan.Filter filter = filter(p, m, where);
            if (tag != null && masker != null && filter != null) {
                out.add(new MaskingPlan.Directive(tag, masker, filter));
            }
        }
        return out;
    }

    private static MaskingPlan.Filter filter(PolicyParser p, Mapping m, String where) {
        Entry e = m.entries().get("filter");
        if (e == null) {
            return MaskingPlan.Filter.NONE;
        }
        String v = p.text(e.value(), where + ": mask: filter");
        if (v == null) {
            return null;
        }
        for (MaskingPlan.Filter f : MaskingPlan.Filter.values()) {
            if (f.label().equals(v)) {
                return f;
            }
        }
        p.mistake(e.value().at(), where + ": mask: filter \"" + v + "\" is not a filter; use none (the default: a "
                + "masked column cannot be filtered, joined, grouped or ordered on), equality or any");
        return null;
    }

    /**
     * A mask rule's {@code unknown-lineage}: true for {@code scan} (a column whose lineage is unknown is masked
     * where its values look like the rule's tags), false for {@code refuse}, the default. Only mask outcomes take it.
     */
    static boolean scanUnknown(PolicyParser p, Mapping m, String where, boolean masks) {
        Entry e = m.entries().get("unknown-lineage");
        if (e == null) {
            return false;
        }
        if (!masks) {
            p.mistake(e.keyAt(), where + ": unknown-lineage: only for outcome mask");
            return false;
        }
        String v = p.text(e.value(), where + ": unknown-lineage");
        if ("scan".equals(v)) {
            return true;
        }
        if (v != null && !"refuse".equals(v)) {
            p.mistake(e.value().at(), where + ": unknown-lineage: \"" + v + "\" is not a choice; use refuse (the "
                    + "default: a result column Veil cannot trace is refused) or scan (masked where a value looks sensitive)");
        }
        return false;
    }

    /** The top-level {@code masking} section's probing budget (probes per identity per hour; 0 turns it off). */
    static int probingBudget(PolicyParser p, Entry masking) {
        if (masking == null) {
            return DEFAULT_PROBING_BUDGET;
        }
        Mapping m = p.mapping(masking.value(), "masking");
        if (m == null) {
            return DEFAULT_PROBING_BUDGET;
        }
        p.keys(m, Set.of("probing-budget"), "masking");
        Entry e = m.entries().get("probing-budget");
        if (e == null) {
            return DEFAULT_PROBING_BUDGET;
        }
        String v = p.text(e.value(), "masking.probing-budget");
        if (v == null) {
            return DEFAULT_PROBING_BUDGET;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ex) {
            // reported below
        }
        p.mistake(e.value().at(), "masking.probing-budget: \"" + v + "\" is not a number of probes per identity per "
                + "hour; use a whole number of 0 or more (0 turns the budget off)");
        return DEFAULT_PROBING_BUDGET;
    }

    private static String required(PolicyParser p, Mapping m, String key, String where) {
        Entry e = m.entries().get(key);
        if (e == null) {
            p.mistake(m.at(), where + ": " + key + " is missing");
            return null;
        }
        return p.text(e.value(), where + ": " + key);
    }
}
