package dev.veil.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelVariableResolver;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Effects;
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
                           Environment.Protection minimum, long maxRows) {
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
        Decision unevaluated = unevaluated(variables);
        if (unevaluated != null) {
            return unevaluated == NOT_HOLDING ? null : unevaluated;
        }
        String finding = finding(analysis, environment);
        if (finding == null) {
            return null;
        }
        String reason = "guardrail " + guardrail.label() + ": " + finding;
        return approval ? new Decision.RequireApproval(rule(), reason) : new Decision.Deny(rule(), ErrorCode.POLICY_DENIED, reason);
    }

    /**
     * For affected-rows-ceiling: null when it does not apply to the statement; the ceiling to run it under (an
     * Allow carrying it); or a refusal when Veil cannot count what the statement does: the rows of a text of
     * several statements, of a data-modifying WITH or an EXPLAIN ANALYZE are not reported one statement at a time.
     */
    Decision ceiling(Analysis analysis, List<String> held, CelVariableResolver variables) {
        if (analysis == null || !covers(held)) {
            return null;
        }
        List<Analysis> parts = analysis.effects().parts();
        boolean changes = parts.isEmpty() ? Guardrail.changesRows(analysis) : parts.stream().anyMatch(Guardrail::changesRows);
        if (!changes) {
            return null;
        }
        Decision unevaluated = unevaluated(variables);
        if (unevaluated != null) {
            return unevaluated == NOT_HOLDING ? null : unevaluated;
        }
        String uncountable = parts.size() > 1 ? "it is a text of " + parts.size() + " statements; send the UPDATE / "
                + "DELETE as a statement of its own"
                : analysis.effects().flags().contains(Effects.Flag.DATA_MODIFYING_CTE) ? "it changes rows inside a WITH; "
                + "send the UPDATE / DELETE as a statement of its own"
                : analysis.effects().flags().contains(Effects.Flag.EXPLAIN_ANALYZE_WRITE) ? "EXPLAIN ANALYZE does not "
                + "report the rows it changes; run the statement itself" : null;
        if (uncountable != null) {
            String reason = "guardrail " + guardrail.label() + ": Veil counts the rows an UPDATE / DELETE changes under "
                    + "a ceiling of " + maxRows + " from the server's report of that one statement, and cannot for this "
                    + "one: " + uncountable;
            return new Decision.Deny(rule(), ErrorCode.POLICY_DENIED, reason);
        }
        return new Decision.Allow(rule()).under(new RowCeiling(rule(), maxRows, mode));
    }

    /** Marks a condition that holds not: the guardrail does not apply. */
    private static final Decision NOT_HOLDING = new Decision.Allow("not-holding");

    /** Null when the condition holds (or there is none); NOT_HOLDING when it does not; a refusal when it fails. */
    private Decision unevaluated(CelVariableResolver variables) {
        if (when != null) {
            try {
                if (!when.test(variables)) {
                    return NOT_HOLDING;
                }
            } catch (CelEvaluationException e) {
                return new Decision.Deny(rule(), ErrorCode.POLICY_DENIED, "guardrail " + guardrail.label()
                        + ": its condition could not be evaluated for this statement (" + e.getMessage()
                        + "), so the statement is refused (fail closed); ask an administrator to fix it");
            }
        }
        return null;
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
