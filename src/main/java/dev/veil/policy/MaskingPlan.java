package dev.veil.policy;

import java.util.List;

/**
 * Which output columns of a statement's result are masked, and how. Empty until masking is built: the result
 * relays then forward the server's bytes untouched.
 */
public record MaskingPlan(List<ColumnMask> columns) {
    public static final MaskingPlan NONE = new MaskingPlan(List.of());

    public MaskingPlan {
        columns = List.copyOf(columns);
    }

    public boolean isEmpty() {
        return columns.isEmpty();
    }

    /** Output column {@code index} (0-based) is masked with {@code masker} because it derives from a {@code tag} column. */
    public record ColumnMask(int index, String tag, String masker) {
    }
}
