package dev.veil.analysis.text;

import java.util.List;

/**
 * A statement with its PostgreSQL {@code $n} placeholders replaced by {@code ?} for Calcite, which would
 * otherwise read {@code $1} as an identifier. Each {@code $n} becomes {@code ?} padded with spaces to the same
 * length, so every offset in {@link #sql()} (and in Calcite's error positions) equals the original offset.
 *
 * @param sql          the rewritten text
 * @param placeholders every {@code ?} of the rewritten text in order; Calcite numbers dynamic parameters by this
 *                     order, {@link Placeholder#number()} says which protocol parameter it stands for
 * @param ambiguous    the text also holds a {@code ?} operator (jsonb {@code ?}, {@code ?|}, {@code ?&}) that the
 *                     rewritten text would present as a parameter: do not trust an analysis of it
 */
public record ParameterRewrite(String sql, List<Placeholder> placeholders, boolean ambiguous) {

    public ParameterRewrite {
        placeholders = List.copyOf(placeholders);
    }

    /** Highest parameter number referenced (0 when none). */
    public int maxParameterNumber() {
        int max = 0;
        for (Placeholder p : placeholders) {
            max = Math.max(max, p.number());
        }
        return max;
    }

    /**
     * @param index  0-based position among the {@code ?} of the rewritten text (Calcite's dynamic-param index)
     * @param number the 1-based protocol parameter ({@code $n}; for MySQL {@code ?} its own position + 1)
     * @param start  offset of the placeholder in the text (identical before and after the rewrite)
     * @param end    offset just past the original placeholder
     */
    public record Placeholder(int index, int number, int start, int end) {
    }
}
