package dev.veil.policy;

import java.time.Clock;
import java.util.List;

/**
 * The decision step of the statement pipeline: pure, no I/O, the same for both wires. Veil's built-in rules
 * (what Veil itself cannot let through) are tried first, in order; the first that applies decides. Then the
 * policy set in force decides ({@link PolicySet}); without one, the statement is allowed under
 * {@link Decision#NO_POLICY}.
 *
 * <p>The policy set is swapped whole ({@link #install}); each decision reads it once, so a statement is never
 * decided half under one version and half under the next.
 */
public final class PolicyEngine {
    private final List<Rule> rules;
    private final Clock clock;
    private volatile PolicySet policy;

    public PolicyEngine(List<Rule> rules) {
        this(rules, Clock.systemUTC());
    }

    /** {@code clock} is what conditions read as request.time. */
    public PolicyEngine(List<Rule> rules, Clock clock) {
        this.rules = List.copyOf(rules);
        this.clock = clock;
    }

    /** The built-in rules only. */
    public static PolicyEngine builtIn() {
        return builtIn(Clock.systemUTC());
    }

    public static PolicyEngine builtIn(Clock clock) {
        return new PolicyEngine(List.of(new MySqlLocalInfileRule(), new MySqlKillRule(), new ReadOnlyDatabaseUserRule(),
                new AgentReadOnlyRule()), clock);
    }

    /** Puts {@code set} in force for every statement decided from now on (null: no policy file). */
    public void install(PolicySet set) {
        policy = set;
    }

    /** The policy set in force, null when there is none. */
    public PolicySet policy() {
        return policy;
    }

    public Decision decide(StatementFacts statement) {
        return decide(statement, false);
    }

    /**
     * What a statement held for approval gets when it runs on its approval: the decision with the guardrails and
     * rules that hold it passed over ({@link PolicySet#decideApproved}): the approval decides the statement, not its
     * results, so its masking plan, and the mask rules' refusals (a masked column copied by a write, a filter the
     * inference control refuses), are those it gets without the hold.
     */
    public Decision decideApproved(StatementFacts statement) {
        return decide(statement, true);
    }

    private Decision decide(StatementFacts statement, boolean approved) {
        PolicySet set = policy;
        for (Rule rule : rules) {
            Decision d = rule.apply(statement);
            if (d != null) {
                return set == null ? d : d.in(set.version(), List.of());
            }
        }
        if (set == null) {
            // Without a policy file nobody holds the replication section's grant.
            Decision replicating = ReplicationSection.NONE.decide(statement, List.of());
            return replicating != null ? replicating : Decision.allowWithoutPolicy();
        }
        return approved ? set.decideApproved(statement, clock) : set.decide(statement, clock);
    }
}
