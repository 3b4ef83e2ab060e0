package dev.veil.policy;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;

/**
 * What Veil decided about one statement, before it runs. Every decision names the rule that made it, so the
 * audit trail and the client's error say which rule to look at.
 */
public sealed interface Decision {
    /** The rule every statement falls to while no policy is loaded. */
    String NO_POLICY = "no-policy";

    String rule();

    /** The statement runs; its results go through {@code masking} (empty: relayed untouched). */
    record Allow(String rule, MaskingPlan masking) implements Decision {
        public Allow(String rule) {
            this(rule, MaskingPlan.NONE);
        }
    }

    /** The statement is refused with {@code code}; {@code reason} says what the rule protects and what to do instead. */
    record Deny(String rule, ErrorCode code, String reason) implements Decision {
        /** The error the client gets: it never ends the session, the connection stays usable. */
        public VeilException error() {
            return VeilException.error(code, reason);
        }
    }

    /** The statement waits for a human approval (not built yet: the pipeline refuses it, saying approval is needed). */
    record RequireApproval(String rule, String reason) implements Decision {
    }

    static Decision allowWithoutPolicy() {
        return new Allow(NO_POLICY);
    }
}
