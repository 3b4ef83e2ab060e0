package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.masking.Masker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a mask rule's directives apply to a base column: those whose tag is among the column's effective tags
 * (the classifier's, then the policy file's tags section, as conditions see them). When several apply, the
 * strictest masker wins, in this order: nullify, redact, hash, partial (fewer kept characters first),
 * pseudonym, email, date-to-year, fixed; a tie keeps the directive written first. The strictest filter wins
 * the same way: none, then equality, then any.
 */
final class MaskTags {
    /** Strictest first. */
    private static final List<Class<? extends Masker>> ORDER = List.of(Masker.Nullify.class, Masker.Redact.class,
            Masker.Hash.class, Masker.Partial.class, Masker.Pseudonym.class, Masker.Email.class, Masker.DateToYear.class,
            Masker.Fixed.class);

    /** Strictest masker first; partial keeping fewer characters before partial keeping more. */
    static final Comparator<MaskingPlan.Directive> STRICTEST_FIRST = Comparator
            .<MaskingPlan.Directive>comparingInt(d -> ORDER.indexOf(d.parsed().getClass()))
            .thenComparingInt(d -> d.parsed() instanceof Masker.Partial p ? p.keep() : 0);

    private final Analysis analysis;
    private final TagRules tags;
    private final List<MaskingPlan.Directive> directives;

    MaskTags(Analysis analysis, TagRules tags, List<MaskingPlan.Directive> directives) {
        this.analysis = analysis;
        this.tags = tags;
        this.directives = directives;
    }

    /** What masks one output or written value: its masked tags, the base columns they come from, the directive. */
    record Hit(Set<String> tags, Set<String> origins, MaskingPlan.Directive directive) {
        String describe() {
            return String.join(", ", origins) + " (" + String.join(", ", tags) + ")";
        }
    }

    /** The directives that apply to {@code column}, in the order of the rule. */
    List<MaskingPlan.Directive> of(ColumnRef column) {
        List<String> labels = tags.apply(column.schema(), column.relation(), column.column(), analysis.tags(column)).labels();
        List<MaskingPlan.Directive> out = new ArrayList<>();
        for (MaskingPlan.Directive d : directives) {
            if (labels.contains(d.tag().toLowerCase(Locale.ROOT))) {
                out.add(d);
            }
        }
        return out;
    }

    /** Whether a value with {@code lineage} carries a masked tag; null when it does not (or its lineage is not Known). */
    Hit of(Lineage lineage) {
        if (!(lineage instanceof Lineage.Known k)) {
            return null;
        }
        Set<String> hitTags = new TreeSet<>();
        Set<String> origins = new TreeSet<>();
        List<MaskingPlan.Directive> applied = new ArrayList<>();
        for (ColumnRef ref : k.columns()) {
            List<MaskingPlan.Directive> ds = of(ref);
            if (!ds.isEmpty()) {
                origins.add(ref.qualified());
                ds.forEach(d -> hitTags.add(d.tag()));
                applied.addAll(ds);
            }
        }
        return applied.isEmpty() ? null : new Hit(hitTags, origins, strictest(applied));
    }

    /**
     * Whether a relation the statement touches may hold a column with a masked tag: one the classifier tagged so,
     * or any at all once the policy file's tags section may add tags to columns the classifier left untagged.
     */
    boolean touchesMasked() {
        if (!tags.isEmpty()) {
            return !analysis.relations().isEmpty();
        }
        for (List<String> key : analysis.tags().tagged().keySet()) {
            boolean touched = analysis.relations().stream()
                    .anyMatch(r -> r.schema().equals(key.get(0)) && r.relation().equals(key.get(1)));
            if (touched && !of(new ColumnRef(key.get(0), key.get(1), key.get(2))).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The strictest of the rule's directives: the masker of a column scanned for want of lineage. */
    MaskingPlan.Directive strictest() {
        return strictest(directives);
    }

    static MaskingPlan.Directive strictest(List<MaskingPlan.Directive> ds) {
        return ds.stream().min(STRICTEST_FIRST).orElseThrow();
    }

    /** The strictest filter among {@code ds}: none before equality before any. */
    static MaskingPlan.Filter filter(List<MaskingPlan.Directive> ds) {
        return ds.stream().map(MaskingPlan.Directive::filter).min(Comparator.naturalOrder()).orElse(MaskingPlan.Filter.ANY);
    }
}
