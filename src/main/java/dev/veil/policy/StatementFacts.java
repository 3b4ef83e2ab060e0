package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;

/**
 * What a rule may look at: the statement's dialect and text, whether it is being prepared (COM_STMT_PREPARE:
 * it runs later, by id), its analysis (null when it was not analysed), who sends it from where
 * ({@code session}), and the database the session is in. The built-in rules read the text; the policy file's
 * rules never do: they see the analysis and the session.
 */
public record StatementFacts(Dialect dialect, String sql, boolean preparing, Analysis analysis, SessionFacts session,
                             String database) {
    public StatementFacts {
        if (session == null) {
            session = SessionFacts.NONE;
        }
    }

    /** A statement outside any session (tests, tools): an identity no role binding matches. */
    public StatementFacts(Dialect dialect, String sql, boolean preparing, Analysis analysis) {
        this(dialect, sql, preparing, analysis, SessionFacts.NONE, null);
    }
}
