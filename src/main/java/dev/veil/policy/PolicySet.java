package dev.veil.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelVariableResolver;
import dev.veil.analysis.Analysis;
import dev.veil.error.ErrorCode;
import dev.veil.identity.Identity;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One loaded policy file, immutable: its version (a hash of its content), the environment it is for, its role
 * bindings, its rules in order and the outcomes when none applies. The engine swaps whole sets; a statement is
 * decided under one set from start to end.
 *
 * <p>Rules are tried in order. An enforce-mode rule whose condition holds decides; an observe-mode one is
 * recorded with what it would have decided, and the next rules are tried. When none decides, the default for
 * identities holding a role applies ({@code default.known-identity}), or, for an identity no role binding
 * matches, {@code default.unknown-identity}. A condition that cannot be evaluated for a statement (a claim
 * the token does not have, say) refuses it under that rule: fail closed.
 */
public final class PolicySet {
    /** The rule names of the two defaults. */
    public static final String KNOWN_DEFAULT = "default.known-identity";
    public static final String UNKNOWN_DEFAULT = "default.unknown-identity";
    /** Statement shapes whose decisions are kept. */
    private static final long CACHED_STATEMENTS = 10_000;

    private final String source;
    private final String version;
    private final Environment environment;
    private final List<RoleBinding> roles;
    private final List<ConfiguredGuardrail> guardrails;
    private final List<PolicyRule> rules;
    private final Outcome knownDefault;
    private final Outcome unknownDefault;
    private final boolean perSession;
    /** Whether the file enables affected-rows-ceiling: only then is an allowed statement looked at again. */
    private final boolean ceilings;
    private final TagRules tags;
    private final int probingBudget;
    private final ReplicationSection replication;
    private final AccessSection access;
    private final DecisionCache cache = new DecisionCache(CACHED_STATEMENTS);

    PolicySet(String source, String version, Environment environment, List<RoleBinding> roles,
              List<ConfiguredGuardrail> guardrails, List<PolicyRule> rules, Outcome knownDefault, Outcome unknownDefault) {
        this(source, version, environment, roles, guardrails, rules, knownDefault, unknownDefault, TagRules.NONE,
                MaskSection.DEFAULT_PROBING_BUDGET, ReplicationSection.NONE);
    }

    PolicySet(String source, String version, Environment environment, List<RoleBinding> roles,
              List<ConfiguredGuardrail> guardrails, List<PolicyRule> rules, Outcome knownDefault, Outcome unknownDefault,
              TagRules tags, int probingBudget, ReplicationSection replication) {
        this(source, version, environment, roles, guardrails, rules, knownDefault, unknownDefault, tags, probingBudget,
                replication, AccessSection.NONE);
    }

    PolicySet(String source, String version, Environment environment, List<RoleBinding> roles,
              List<ConfiguredGuardrail> guardrails, List<PolicyRule> rules, Outcome knownDefault, Outcome unknownDefault,
              TagRules tags, int probingBudget, ReplicationSection replication, AccessSection access) {
        this.source = source;
        this.access = access;
        this.replication = replication;
        this.tags = tags;
        this.probingBudget = probingBudget;
        this.version = version;
        this.environment = environment;
        this.roles = List.copyOf(roles);
        this.guardrails = List.copyOf(guardrails);
        this.rules = List.copyOf(rules);
        this.knownDefault = knownDefault;
        this.unknownDefault = unknownDefault;
        this.ceilings = guardrails.stream().anyMatch(g -> g.guardrail() == Guardrail.AFFECTED_ROWS_CEILING);
        this.perSession = rules.stream().anyMatch(r -> r.when().readsAny(PolicyVariables.PER_SESSION))
                || guardrails.stream().anyMatch(g -> g.when() != null && g.when().readsAny(PolicyVariables.PER_SESSION));
    }

    /** The file's replication section: who may open replication connections and run their commands. */
    public ReplicationSection replication() {
        return replication;
    }

    /** The file's access section: the roles that may be requested just in time, and by whom (docs/access.md). */
    public AccessSection access() {
        return access;
    }

    /** The file's tags section: applied to the classifier's tags of each column (see docs/classification.md). */
    public TagRules tags() {
        return tags;
    }

    /**
     * The file's {@code masking.probing-budget}: how many statements with probes (predicates on masked columns
     * that a directive's filter allows) one identity may run per hour; 0 when there is no budget.
     */
    public int probingBudget() {
        return probingBudget;
    }

    /** Where it was read from (the file's path). */
    public String source() {
        return source;
    }

    /** The content hash that names this version in the audit trail and readiness. */
    public String version() {
        return version;
    }

    public Environment environment() {
        return environment;
    }

    public List<String> roleNames() {
        return roles.stream().map(RoleBinding::role).toList();
    }

    public List<String> ruleNames() {
        return rules.stream().map(PolicyRule::name).toList();
    }

    /** The rule names of the guardrails the file enables ({@code guardrail.<name>}), in the order they are tried. */
    public List<String> guardrailNames() {
        return guardrails.stream().map(ConfiguredGuardrail::rule).toList();
    }

    /** The roles {@code identity} holds under this policy, in the file's order; empty for an unknown identity. */
    public List<String> rolesOf(Identity identity) {
        List<String> held = new ArrayList<>();
        for (RoleBinding b : roles) {
            if (b.matches(identity)) {
                held.add(b.role());
            }
        }
        return List.copyOf(held);
    }

    /**
     * The roles {@code identity} holds with the roles {@code granted} to it just in time: those the bindings give,
     * then the granted ones the access section still lets it hold ({@link AccessSection#applicable}).
     */
    public List<String> rolesOf(Identity identity, Collection<String> granted) {
        List<String> bound = rolesOf(identity);
        if (granted.isEmpty()) {
            return bound;
        }
        List<String> held = new ArrayList<>(bound);
        for (String g : access.applicable(granted, bound)) {
            if (!held.contains(g)) {
                held.add(g);
            }
        }
        return List.copyOf(held);
    }

    Decision decide(StatementFacts facts, Clock clock) {
        return decide(facts, clock, false);
    }

    /**
     * What the statement gets once it is approved: the decision as if no guardrail or rule holding it for approval
     * matched, so the masking plan (and the mask rules' refusals) the identity gets without the hold; a default that
     * requires approval allows, unmasked, since nothing after it could mask. Not cached: approved runs are few.
     */
    Decision decideApproved(StatementFacts facts, Clock clock) {
        return decide(facts, clock, true);
    }

    private Decision decide(StatementFacts facts, Clock clock, boolean approved) {
        SessionFacts session = facts.session();
        List<String> held = session.roles(this);
        Decision replicating = replication.decide(facts, held);
        if (replicating != null) {
            // Before guardrails and rules: no rule allows or refuses a replication command but this section.
            return replicating.in(version, List.of());
        }
        DecisionCache.Key key = null;
        if (facts.analysis() != null && !approved) {
            Object asker = perSession ? session : held.isEmpty() ? new DecisionCache.Unknown(session.identity().name()) : held;
            key = new DecisionCache.Key(facts.database(), asker);
            Decision cached = cache.get(facts.analysis(), key);
            if (cached != null) {
                return cached;
            }
        }
        Judged whole = judge(facts, held, clock, approved);
        Decision decided = whole.decided();
        List<Decision.Observation> observed = new ArrayList<>(whole.observed());
        boolean perStatement = whole.perStatement();
        // A text of several statements is analysed as a whole only as far as its parts allow (often not at all):
        // each statement is judged on its own too, and the text gets the most restrictive answer, refused whole
        // when any of its statements is refused.
        List<Analysis> parts = facts.analysis() == null ? List.of() : facts.analysis().effects().parts();
        for (int i = 0; i < parts.size() && !(decided instanceof Decision.Deny); i++) {
            Judged part = judge(new StatementFacts(facts.dialect(), facts.sql(), facts.preparing(), parts.get(i),
                    session, facts.database()), held, clock, approved);
            perStatement |= part.perStatement();
            observed.addAll(part.observed());
            if (severity(part.decided()) > severity(decided)) {
                decided = inText(part.decided(), i, parts.size());
            }
        }
        // An approved statement runs whole: its approvers decided how many rows it may change.
        if (decided instanceof Decision.Allow allow && ceilings && !approved) {
            decided = underCeiling(allow, facts, held, observed, clock);
            perStatement |= guardrails.stream().anyMatch(g -> g.guardrail() == Guardrail.AFFECTED_ROWS_CEILING
                    && g.when() != null && g.when().readsAny(PolicyVariables.PER_STATEMENT));
        }
        decided = decided.in(version, observed);
        // A FETCH's plan names its cursor, read from the text: texts of one analysis may name different cursors.
        perStatement |= decided instanceof Decision.Allow allowed && allowed.masking().cursor() != null;
        if (key != null && !perStatement) {
            cache.put(facts.analysis(), key, decided);
        }
        return decided;
    }

    /**
     * An allowed UPDATE / DELETE under affected-rows ceilings: it runs under the smallest enforced one (observed
     * ones only when none is enforced); refused when one cannot be applied to it (see
     * {@link ConfiguredGuardrail#ceiling}), or recorded as observed when that one is in observe mode.
     */
    private Decision underCeiling(Decision.Allow allow, StatementFacts facts, List<String> held,
                                  List<Decision.Observation> observed, Clock clock) {
        CelVariableResolver variables = PolicyVariables.resolver(facts, held, environment, tags, clock);
        RowCeiling chosen = null;
        for (ConfiguredGuardrail g : guardrails) {
            if (g.guardrail() != Guardrail.AFFECTED_ROWS_CEILING) {
                continue;
            }
            Decision d = g.ceiling(facts.analysis(), held, variables);
            if (d instanceof Decision.Deny) {
                if (g.mode() == Mode.OBSERVE) {
                    observed.add(new Decision.Observation(g.rule(), d));
                    continue;
                }
                return d;
            }
            RowCeiling c = d == null ? null : ((Decision.Allow) d).ceiling();
            if (c != null && (chosen == null || chosen.observe() && !c.observe()
                    || chosen.observe() == c.observe() && c.maxRows() < chosen.maxRows())) {
                chosen = c;
            }
        }
        return chosen == null ? allow : allow.under(chosen);
    }

    /** What the guardrails and rules say of one analysis (a whole text, or one statement of it). */
    private record Judged(Decision decided, List<Decision.Observation> observed, boolean perStatement) {
    }

    /** {@code approved}: guardrails and rules that hold the statement for approval are passed over. */
    private Judged judge(StatementFacts facts, List<String> held, Clock clock, boolean approved) {
        CelVariableResolver variables = PolicyVariables.resolver(facts, held, environment, tags, clock);
        List<Decision.Observation> observed = new ArrayList<>();
        boolean perStatement = false;
        Decision decided = null;
        // Guardrails first: no rule of the file allows what an enforced guardrail refuses.
        for (ConfiguredGuardrail g : guardrails) {
            if (g.guardrail() == Guardrail.AFFECTED_ROWS_CEILING) {
                continue; // applied to what is allowed in the end (underCeiling)
            }
            perStatement |= g.when() != null && g.when().readsAny(PolicyVariables.PER_STATEMENT);
            Decision d = g.apply(facts.analysis(), held, environment, variables);
            if (d == null || approved && d instanceof Decision.RequireApproval) {
                continue;
            }
            if (g.mode() == Mode.OBSERVE) {
                observed.add(new Decision.Observation(g.rule(), d));
                continue;
            }
            decided = d;
            break;
        }
        for (PolicyRule rule : decided != null ? List.<PolicyRule>of() : rules) {
            perStatement |= rule.when().readsAny(PolicyVariables.PER_STATEMENT);
            Decision d = apply(rule, variables, facts);
            if (d == null || approved && d instanceof Decision.RequireApproval) {
                continue;
            }
            if (rule.mode() == Mode.OBSERVE) {
                observed.add(new Decision.Observation(rule.name(), d));
                continue;
            }
            decided = d;
            break;
        }
        if (decided == null) {
            decided = held.isEmpty() ? unknownDefault(facts) : outcome(KNOWN_DEFAULT, knownDefault, facts);
            if (approved && decided instanceof Decision.RequireApproval) {
                decided = new Decision.Allow(decided.rule(), MaskingPlan.NONE);
            }
        }
        return new Judged(decided, observed, perStatement);
    }

    /** Allow 0, require approval 1, deny 2. */
    private static int severity(Decision d) {
        return d instanceof Decision.Deny ? 2 : d instanceof Decision.RequireApproval ? 1 : 0;
    }

    /** A statement's refusal as the refusal of the text it is part of. */
    private static Decision inText(Decision d, int index, int count) {
        String where = "statement " + (index + 1) + " of " + count + " in this text: ";
        String whole = " (a text is refused whole when any of its statements is)";
        if (d instanceof Decision.Deny deny) {
            return new Decision.Deny(deny.rule(), deny.code(), where + deny.reason() + whole);
        }
        if (d instanceof Decision.RequireApproval approval) {
            return new Decision.RequireApproval(approval.rule(), where + approval.reason() + whole, null, List.of(),
                    approval.demand());
        }
        return d;
    }

    /** The rule's decision when its condition holds, null when it does not. */
    private Decision apply(PolicyRule rule, CelVariableResolver variables, StatementFacts facts) {
        try {
            return rule.when().test(variables) ? outcome(rule.name(), rule.outcome(), facts) : null;
        } catch (CelEvaluationException e) {
            return new Decision.Deny(rule.name(), ErrorCode.POLICY_DENIED, "policy rule " + rule.name()
                    + ": its condition could not be evaluated for this statement (" + e.getMessage()
                    + "), so the statement is refused (fail closed). Ask an administrator to fix the rule; "
                    + "has(identity.claims.x) tests whether a claim exists");
        }
    }

    /** What {@code outcome} decides for this statement: a mask outcome is planned on the statement's lineage. */
    private Decision outcome(String rule, Outcome outcome, StatementFacts facts) {
        if (outcome instanceof Outcome.Allow allow && !allow.masks().isEmpty()) {
            return MaskPlanner.plan(rule, allow, facts, tags);
        }
        return outcome.decision(rule);
    }

    private Decision unknownDefault(StatementFacts facts) {
        SessionFacts session = facts.session();
        if (unknownDefault != null) {
            return outcome(UNKNOWN_DEFAULT, unknownDefault, facts);
        }
        return new Decision.Deny(UNKNOWN_DEFAULT, ErrorCode.POLICY_DENIED, "policy rule " + UNKNOWN_DEFAULT + ": \""
                + session.identity().name() + "\" holds no role in the policy of environment " + environment.name()
                + " (no role binding matches its account, groups or claims); ask an administrator to bind it to a role");
    }
}
