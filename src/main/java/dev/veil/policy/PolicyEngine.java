package dev.veil.policy;

import java.util.List;

/**
 * The decision step of the statement pipeline: pure, no I/O, the same for both wires. Rules are tried in
 * order and the first that applies decides; a statement no rule takes is allowed under {@link Decision#NO_POLICY}.
 * Today the rules are Veil's built-in ones (what Veil itself cannot let through); the policy file adds its
 * rules after them.
 */
public final class PolicyEngine {
    private final List<Rule> rules;

    public PolicyEngine(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The built-in rules only. */
    public static PolicyEngine builtIn() {
        return new PolicyEngine(List.of(new MySqlLocalInfileRule(), new MySqlKillRule()));
    }

    public Decision decide(StatementFacts statement) {
        for (Rule rule : rules) {
            Decision d = rule.apply(statement);
            if (d != null) {
                return d;
            }
        }
        return Decision.allowWithoutPolicy();
    }
}
