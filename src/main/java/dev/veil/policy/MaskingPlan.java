package dev.veil.policy;

import java.util.List;

/**
 * Which output columns of a statement's result are masked, and how. {@code directives} are the policy's masking
 * outcomes (mask columns tagged {@code tag} with {@code masker}), kept for the masking stage, which will turn
 * them into {@code columns} from the columns' tags; until it exists nothing is masked: the result relays
 * forward the server's bytes untouched whatever the plan says.
 */
public record MaskingPlan(List<ColumnMask> columns, List<Directive> directives) {
    public static final MaskingPlan NONE = new MaskingPlan(List.of(), List.of());

    public MaskingPlan {
        columns = List.copyOf(columns);
        directives = List.copyOf(directives);
    }

    public MaskingPlan(List<ColumnMask> columns) {
        this(columns, List.of());
    }

    /** The masking directives of a policy rule. */
    public static MaskingPlan of(List<Directive> directives) {
        return directives.isEmpty() ? NONE : new MaskingPlan(List.of(), directives);
    }

    public boolean isEmpty() {
        return columns.isEmpty() && directives.isEmpty();
    }

    /** Output column {@code index} (0-based) is masked with {@code masker} because it derives from a {@code tag} column. */
    public record ColumnMask(int index, String tag, String masker) {
    }

    /** A policy rule asks for the columns tagged {@code tag} to be masked with {@code masker}. */
    public record Directive(String tag, String masker) {
    }
}
