package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.error.ErrorCode;

import java.util.List;

/**
 * Built-in: a session that reaches the database as a read-only role user runs with its transactions read-only
 * (PostgreSQL default_transaction_read_only, MySQL SET SESSION TRANSACTION READ ONLY); the statements that would
 * make them read-write are refused whether or not the policy file enables the {@code transaction-mode} guardrail,
 * under that guardrail's rule name and with its checks.
 */
final class ReadOnlyDatabaseUserRule implements Rule {
    static final String NAME = ConfiguredGuardrail.RULE_PREFIX + Guardrail.TRANSACTION_MODE.label();

    /** The guardrail's finding; SHOW only looks at the mode (its words name the setting), so it is never one. */
    private static String check(Analysis a) {
        List<String> words = a.effects().command();
        return !words.isEmpty() && words.get(0).equals("SHOW") ? null : Guardrail.TRANSACTION_MODE.check(a, null, null);
    }

    @Override
    public Decision apply(StatementFacts statement) {
        Analysis analysis = statement.analysis();
        if (!statement.session().readOnlyDatabaseUser() || analysis == null) {
            return null;
        }
        List<Analysis> parts = analysis.effects().parts();
        String finding = null;
        if (parts.isEmpty()) {
            finding = check(analysis);
        }
        for (int i = 0; i < parts.size() && finding == null; i++) {
            String f = check(parts.get(i));
            if (f != null) {
                finding = "statement " + (i + 1) + " of " + parts.size() + " in this text: " + f
                        + " (a text is refused whole when any of its statements is)";
            }
        }
        if (finding == null) {
            return null;
        }
        return new Decision.Deny(NAME, ErrorCode.POLICY_DENIED, "guardrail " + Guardrail.TRANSACTION_MODE.label() + ": "
                + finding + ", as this session's database user is read-only; connect as a role with write access to"
                + " change data");
    }
}
