package dev.veil.policy;

import dev.veil.error.ErrorCode;

import java.util.List;

/** What a policy rule (or a default) decides when it applies. */
sealed interface Outcome {
    Decision decision(String rule);

    /**
     * Allowed; with {@code masks}, its results are to be masked (planned per statement by MaskPlanner);
     * {@code scanUnknown}: a result column of unknown lineage is masked by a value scan rather than refused.
     */
    record Allow(List<MaskingPlan.Directive> masks, boolean scanUnknown) implements Outcome {
        public Allow {
            masks = List.copyOf(masks);
        }

        public Allow(List<MaskingPlan.Directive> masks) {
            this(masks, false);
        }

        @Override
        public Decision decision(String rule) {
            return new Decision.Allow(rule, MaskingPlan.of(masks));
        }
    }

    /** Refused with 42501 (MySQL 1142); the message names the rule. */
    record Deny(String reason) implements Outcome {
        @Override
        public Decision decision(String rule) {
            return new Decision.Deny(rule, ErrorCode.POLICY_DENIED, "policy rule " + rule + ": " + reason);
        }
    }

    /** Held until approved as {@code demand} says (docs/approvals.md). */
    record RequireApproval(String reason, ApprovalDemand demand) implements Outcome {
        public RequireApproval(String reason) {
            this(reason, ApprovalDemand.DEFAULT);
        }

        @Override
        public Decision decision(String rule) {
            return new Decision.RequireApproval(rule, "policy rule " + rule + ": " + reason, null, List.of(), demand);
        }
    }
}
