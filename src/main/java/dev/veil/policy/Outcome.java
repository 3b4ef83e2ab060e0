package dev.veil.policy;

import dev.veil.error.ErrorCode;

import java.util.List;

/** What a policy rule (or a default) decides when it applies. */
sealed interface Outcome {
    Decision decision(String rule);

    /** Allowed; with {@code masks}, its results are to be masked (kept in the decision's MaskingPlan). */
    record Allow(List<MaskingPlan.Directive> masks) implements Outcome {
        public Allow {
            masks = List.copyOf(masks);
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

    /** Would wait for an approval; until approvals exist the pipeline refuses it, saying so. */
    record RequireApproval(String reason) implements Outcome {
        @Override
        public Decision decision(String rule) {
            return new Decision.RequireApproval(rule, "policy rule " + rule + ": " + reason);
        }
    }
}
