package dev.veil.policy;

import dev.veil.masking.Masker;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which output columns of a statement's result are masked, and how: the contract between the decision (which
 * makes it, from the matching rule's masking directives, the statement's column lineage and the columns' tags)
 * and the result relays (which apply it to every row that leaves Veil).
 *
 * <ul>
 *   <li>{@code columns}: the masked output columns, by 0-based position in the result;</li>
 *   <li>{@code directives}: the matching rule's directives (mask columns tagged {@code tag} with
 *       {@code masker}), as the policy file wrote them;</li>
 *   <li>{@code resultColumns}: how many columns the analysis says the result has, or -1 when the plan does not
 *       depend on it (no masked column). A relay that sees a result of another width cannot tell which column
 *       is which: it fails the result closed rather than guess;</li>
 *   <li>{@code cursor}: not null for a statement that reads a result prepared earlier (PostgreSQL FETCH / MOVE of
 *       a cursor): the plan of that cursor's query applies, which the session remembers from its DECLARE.</li>
 *   <li>{@code probes}: the masked base columns ({@code schema.relation.column}) the statement filters, joins,
 *       groups or orders on as the directives' {@code filter} allows: each such statement counts against the
 *       identity's probing budget (policy {@code masking.probing-budget}). Not about the result: a plan with
 *       only probes is still {@link #isEmpty()} for the relays.</li>
 *   <li>{@code identifiers}: the statement's own relation and column names (lower case), from its analysis: the
 *       quoted parts of a server error that are one of them stay when the error is scrubbed (they say nothing the
 *       client did not write), every other quoted part is hidden.</li>
 * </ul>
 */
public record MaskingPlan(List<ColumnMask> columns, List<Directive> directives, int resultColumns, String cursor,
                          List<String> probes, Set<String> identifiers) {
    public static final MaskingPlan NONE = new MaskingPlan(List.of(), List.of(), -1, null);

    public MaskingPlan {
        columns = List.copyOf(columns);
        directives = List.copyOf(directives);
        probes = List.copyOf(probes);
        identifiers = Set.copyOf(identifiers);
    }

    public MaskingPlan(List<ColumnMask> columns, List<Directive> directives, int resultColumns, String cursor,
                       List<String> probes) {
        this(columns, directives, resultColumns, cursor, probes, Set.of());
    }

    public MaskingPlan(List<ColumnMask> columns, List<Directive> directives, int resultColumns, String cursor) {
        this(columns, directives, resultColumns, cursor, List.of());
    }

    public MaskingPlan(List<ColumnMask> columns, int resultColumns) {
        this(columns, List.of(), resultColumns, null);
    }

    /** The masking directives of a policy rule, before any statement's lineage is known. */
    public static MaskingPlan of(List<Directive> directives) {
        return directives.isEmpty() ? NONE : new MaskingPlan(List.of(), directives, -1, null);
    }

    /** Nothing to do for the result: the relays forward the server's bytes untouched. */
    public boolean isEmpty() {
        return columns.isEmpty() && directives.isEmpty() && cursor == null;
    }

    /** Whether any row of the result must be rewritten (or, for a cursor, may have to be). */
    public boolean masksResults() {
        return !columns.isEmpty() || cursor != null;
    }

    /**
     * Output column {@code index} (0-based) named {@code name} in the result is masked with {@code masker}
     * because one of its origin columns carries {@code tags} (the tags the policy masks, effective for this
     * statement). {@code scan}: the column's lineage is unknown and the policy asked for the value-scan backstop
     * instead of a refusal: only values the classifier's detectors recognise are masked. The first of {@code tags}
     * is the one whose directive chose the masker. {@code origins}: the base columns ({@code schema.relation.column})
     * the masked tags come from, for the audit trail.
     */
    public record ColumnMask(int index, String name, List<String> tags, Masker masker, boolean scan, List<String> origins) {
        public ColumnMask {
            tags = List.copyOf(tags);
            origins = List.copyOf(origins);
        }

        public ColumnMask(int index, String name, List<String> tags, Masker masker, boolean scan) {
            this(index, name, tags, masker, scan, List.of());
        }

        /** The masker as a policy file writes it: partial(4), fixed(n/a), date-to-year, … */
        public String maskerName() {
            if (masker instanceof Masker.Partial p) {
                return "partial(" + p.keep() + ")";
            }
            if (masker instanceof Masker.Fixed f) {
                return "fixed(" + f.value() + ")";
            }
            return masker instanceof Masker.DateToYear ? "date-to-year"
                    : masker.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A policy rule asks for the columns tagged {@code tag} to be masked with {@code masker} (as written: see
     * {@link Masker#parse}, checked when the policy is loaded); {@code filter} says what the statement may do
     * with such a column besides returning it masked.
     */
    public record Directive(String tag, String masker, Filter filter) {
        public Directive(String tag, String masker) {
            this(tag, masker, Filter.NONE);
        }

        /** The masker this directive names (valid: the policy was checked when loaded). */
        public Masker parsed() {
            return Masker.parse(masker);
        }
    }

    /**
     * Inference control of one directive: NONE refuses a statement that filters, joins, groups, orders,
     * partitions or de-duplicates on a masked column; EQUALITY allows equality comparisons, equi-joins, GROUP BY
     * and DISTINCT on it (each such statement is a probe, counted against the probing budget); ANY allows every
     * use (also probes).
     */
    public enum Filter {
        NONE, EQUALITY, ANY;

        /** As the policy file writes it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
