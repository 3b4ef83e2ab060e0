package dev.veil.analysis;

import java.util.List;

/**
 * The conservative, token-only classification used when a statement cannot be analysed (fail closed). Its kind
 * must never be less dangerous than the statement's real kind.
 */
@FunctionalInterface
public interface FallbackClassifier {
    record Fallback(StatementKind kind, List<RelationAccess> relations) {
    }

    Fallback classify(Dialect dialect, String sql);

    /** Knows nothing, so assumes the worst. */
    FallbackClassifier UNKNOWN = (dialect, sql) -> new Fallback(StatementKind.UNKNOWN, List.of());
}
