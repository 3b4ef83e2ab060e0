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

    @Override
    public Decision apply(StatementFacts statement) {
        Analysis analysis = statement.analysis();
        if (!statement.session().readOnlyDatabaseUser() || analysis == null) {
            return null;
        }
        List<Analysis> parts = analysis.effects().parts();
        String finding = null;
        if (parts.isEmpty()) {
            finding = Guardrail.TRANSACTION_MODE.check(analysis, null, null);
        }
        for (int i = 0; i < parts.size() && finding == null; i++) {
            String f = Guardrail.TRANSACTION_MODE.check(parts.get(i), null, null);
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
