package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;

/**
 * What a rule may look at: the statement's dialect and text, whether it is being prepared (COM_STMT_PREPARE:
 * it runs later, by id), and its analysis (null when it was not analysed).
 */
public record StatementFacts(Dialect dialect, String sql, boolean preparing, Analysis analysis) {
}
