package dev.veil.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelVariableResolver;
import dev.veil.analysis.Analysis;
import dev.veil.error.ErrorCode;

import java.util.List;
import java.util.Set;

/**
 * A guardrail as a policy file enables it: for which roles (empty: every identity holding a role), under which
 * condition (null: always), in which mode, refusing or asking for an approval, and from which protection level
 * on ({@code destructive-ddl}). Its decisions are named {@code guardrail.<name>} in the audit trail; the
 * client's message starts with {@code guardrail <name>:}.
 *
 * <p>A statement Veil holds no analysis of fails {@code unanalysed}; a multi-statement text is judged statement
 * by statement, and refused whole when any of its statements is ("statement 2 of 3: …").
 */
record ConfiguredGuardrail(Guardrail guardrail, Set<String> roles, Condition when, Mode mode, boolean approval,
                           Environment.Protection minimum) {
    /** The prefix of the rule names guardrails decide under. */
    static final String RULE_PREFIX = "guardrail.";

    ConfiguredGuardrail {
        roles = Set.copyOf(roles);
    }

    String rule() {
        return RULE_PREFIX + guardrail.label();
    }

    /** Whether it is meant for an identity holding {@code held}, whatever the statement. */
    boolean covers(List<String> held) {
        return roles.isEmpty() ? !held.isEmpty() : held.stream().anyMatch(roles::contains);
    }

    /** Its decision on the statement, null when it does not apply or finds nothing wrong. */
    Decision apply(Analysis analysis, List<String> held, Environment environment, CelVariableResolver variables) {
        if (!covers(held)) {
            return null;
        }
        if (when != null) {
            try {
                if (!when.test(variables)) {
                    return null;
                }
            } catch (CelEvaluationException e) {
                return new Decision.Deny(rule(), ErrorCode.POLICY_DENIED, "guardrail " + guardrail.label()
                        + ": its condition could not be evaluated for this statement (" + e.getMessage()
                        + "), so the statement is refused (fail closed); ask an administrator to fix it");
            }
        }
        String finding = finding(analysis, environment);
        if (finding == null) {
            return null;
        }
        String reason = "guardrail " + guardrail.label() + ": " + finding;
        return approval ? new Decision.RequireApproval(rule(), reason) : new Decision.Deny(rule(), ErrorCode.POLICY_DENIED, reason);
    }

    private String finding(Analysis analysis, Environment environment) {
        if (analysis == null) {
            return guardrail == Guardrail.UNANALYSED ? "Veil holds no analysis of this statement (a prepared statement "
                    + "it did not see prepared), and what Veil cannot analyse is refused for roles under guardrails "
                    + "(fail closed); prepare it again" : null;
        }
        List<Analysis> parts = analysis.effects().parts();
        if (parts.isEmpty()) {
            return guardrail.check(analysis, environment, minimum);
        }
        for (int i = 0; i < parts.size(); i++) {
            String f = guardrail.check(parts.get(i), environment, minimum);
            if (f != null) {
                return "statement " + (i + 1) + " of " + parts.size() + " in this text: " + f
                        + " (a text is refused whole when any of its statements is)";
            }
        }
        return null;
    }
}
