package dev.veil.policy;

import dev.veil.analysis.Analysis;
import dev.veil.error.ErrorCode;
import dev.veil.identity.Identity;

import java.util.List;

/**
 * How a change an AI agent proposes (MCP propose_change) is decided, and how it is decided again when it runs on
 * its approval: the agent's read-only default ({@link AgentReadOnlyRule}) is what an approval lifts, nothing
 * else. The statement is judged by the built-in rules and the policy file as if the agent were allowed to write:
 * a deny (a rule, a guardrail) stays a deny with its rule, since an approval never launders one; an allow, or a
 * rule's own require-approval, becomes a request for a person's approval (the agent's owner, or the rule's
 * approvers). One statement Veil has analysed, no more: a text of several, or one Veil cannot analyse, is refused.
 */
public final class AgentChanges {
    /** The rule named on an agent's change that needs its owner's approval, and on what cannot be proposed. */
    public static final String RULE = "builtin.agent-change-approval";
    /**
     * The application_name of the wire sessions in which an agent's approved changes run (MCP get_change_result):
     * only statements with an approval in force run there, so a client claiming it gains nothing.
     */
    public static final String APPLICATION = "veil-mcp:get_change_result";

    private AgentChanges() {
    }

    /** Whether the session is one where an agent's approved changes run (and nothing else). */
    public static boolean runsApprovedChanges(Identity identity, String application) {
        return identity.agent() && identity.machine() != null && APPLICATION.equals(application);
    }

    /** Deny (kept or made here) or RequireApproval; never Allow. */
    public static Decision decide(PolicyEngine engine, StatementFacts statement) {
        Analysis a = statement.analysis();
        if (a != null && !a.effects().parts().isEmpty()) {
            return deny("a change is one statement; this text holds " + a.effects().parts().size()
                    + ": propose each on its own");
        }
        if (a == null || !a.analysed()) {
            return deny("Veil could not analyse this statement" + (a == null ? "" : " (" + a.failure().orElse("") + ")")
                    + ", and only a statement Veil can analyse may be proposed; fix it");
        }
        if (AgentReadOnlyRule.finding(a) == null) {
            return deny("this statement only reads: run it with run_read_query; propose_change is for changes");
        }
        SessionFacts session = statement.session();
        Identity id = session.identity();
        Identity writing = id.machine() == null ? id : id.as(id.kind(), id.machine().writing());
        StatementFacts asWriter = new StatementFacts(statement.dialect(), statement.sql(), false, a,
                new SessionFacts(writing, session.clientAddress(), session.application(), session.readOnlyDatabaseUser()),
                statement.database());
        Decision d = engine.decide(asWriter);
        if (d instanceof Decision.Allow allow) {
            if (!allow.masking().columns().isEmpty()) {
                return new Decision.Deny(RULE, ErrorCode.POLICY_DENIED, RULE + ": the result of this change would carry "
                        + "columns the policy masks for you (" + String.join(", ", allow.masking().columns().stream()
                        .map(MaskingPlan.ColumnMask::name).toList()) + "), and a change run on an approval is not masked;"
                        + " leave them out of RETURNING", allow.policyVersion(), allow.observed());
            }
            String owner = id.machine() == null || id.machine().owner() == null ? "an administrator" : id.machine().owner();
            return new Decision.RequireApproval(RULE, "a change proposed by AI agent " + id.name() + " runs only once "
                    + owner + " (its owner) or an administrator approves it", allow.policyVersion(), allow.observed(),
                    ApprovalDemand.DEFAULT);
        }
        return d;
    }

    private static Decision deny(String why) {
        return new Decision.Deny(RULE, ErrorCode.POLICY_DENIED, RULE + ": " + why, null, List.of());
    }
}
