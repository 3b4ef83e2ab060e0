package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.error.ErrorCode;

import java.util.List;

/**
 * Built-in: a session that reaches the database as a read-only role user runs with its transactions read-only
 * (PostgreSQL default_transaction_read_only, MySQL SET SESSION TRANSACTION READ ONLY). Whether or not the policy
 * file enables them, the {@code transaction-mode} guardrail's checks refuse the statements that would make them
 * read-write, and the {@code dynamic-sql} ones the statements whose text Veil does not see before it runs (a DO
 * block or a PREPARE … FROM could hold such a SET); each under its guardrail's rule name.
 */
final class ReadOnlyDatabaseUserRule implements Rule {
    private static final List<Guardrail> CHECKS = List.of(Guardrail.TRANSACTION_MODE, Guardrail.DYNAMIC_SQL);

    @Override
    public Decision apply(StatementFacts statement) {
        Analysis analysis = statement.analysis();
        if (!statement.session().readOnlyDatabaseUser() || analysis == null) {
            return null;
        }
        List<Analysis> parts = analysis.effects().parts();
        for (Guardrail g : CHECKS) {
            String finding = parts.isEmpty() ? check(g, analysis) : null;
            for (int i = 0; i < parts.size() && finding == null; i++) {
                String f = check(g, parts.get(i));
                if (f != null) {
                    finding = "statement " + (i + 1) + " of " + parts.size() + " in this text: " + f
                            + " (a text is refused whole when any of its statements is)";
                }
            }
            if (finding != null) {
                return new Decision.Deny(ConfiguredGuardrail.RULE_PREFIX + g.label(), ErrorCode.POLICY_DENIED,
                        "guardrail " + g.label() + ": " + finding + " (this session's database user is read-only, and Veil"
                                + " keeps it so; connect as a role with write access to change data)");
            }
        }
        return null;
    }

    /** The guardrail's finding; SHOW only looks at the mode (its words name the setting), so it is never one. */
    private static String check(Guardrail g, Analysis a) {
        List<String> words = a.effects().command();
        return !words.isEmpty() && words.get(0).equals("SHOW") ? null : g.check(a, null, null);
    }
}
