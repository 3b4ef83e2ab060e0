package dev.veil.policy;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;

import java.util.List;

/**
 * What Veil decided about one statement, before it runs. Every decision names the rule that made it, so the
 * audit trail and the client's error say which rule to look at; it also carries the version of the policy file
 * in force (null while there is none) and what the observe-mode rules that matched on the way would have
 * decided.
 */
public sealed interface Decision {
    /** The rule every statement falls to while no policy is loaded. */
    String NO_POLICY = "no-policy";

    String rule();

    /** The version (content hash) of the policy file in force when this was decided; null without one. */
    String policyVersion();

    /** The observe-mode rules that matched before this decision was made, in rule order. */
    List<Observation> observed();

    /** This decision under {@code policyVersion}, after {@code observed}. */
    Decision in(String policyVersion, List<Observation> observed);

    /**
     * The statement runs; its results go through {@code masking} (empty: relayed untouched); {@code ceiling}, when
     * not null, is the affected-rows ceiling it runs under (checked by the wire flow as it runs).
     */
    record Allow(String rule, MaskingPlan masking, String policyVersion, List<Observation> observed, RowCeiling ceiling)
            implements Decision {
        public Allow {
            observed = List.copyOf(observed);
        }

        public Allow(String rule, MaskingPlan masking, String policyVersion, List<Observation> observed) {
            this(rule, masking, policyVersion, observed, null);
        }

        public Allow(String rule, MaskingPlan masking) {
            this(rule, masking, null, List.of());
        }

        public Allow(String rule) {
            this(rule, MaskingPlan.NONE);
        }

        @Override
        public Decision in(String version, List<Observation> seen) {
            return new Allow(rule, masking, version, seen, ceiling);
        }

        /** This decision, run under {@code under}. */
        public Allow under(RowCeiling under) {
            return new Allow(rule, masking, policyVersion, observed, under);
        }
    }

    /** The statement is refused with {@code code}; {@code reason} says what the rule protects and what to do instead. */
    record Deny(String rule, ErrorCode code, String reason, String policyVersion, List<Observation> observed)
            implements Decision {
        public Deny {
            observed = List.copyOf(observed);
        }

        public Deny(String rule, ErrorCode code, String reason) {
            this(rule, code, reason, null, List.of());
        }

        /** The error the client gets: it never ends the session, the connection stays usable. */
        public VeilException error() {
            return VeilException.error(code, reason);
        }

        @Override
        public Decision in(String version, List<Observation> seen) {
            return new Deny(rule, code, reason, version, seen);
        }
    }

    /**
     * The statement waits for a human approval ({@code demand}: who approves, how long the client waits); the
     * pipeline holds it until approved, denied or timed out.
     */
    record RequireApproval(String rule, String reason, String policyVersion, List<Observation> observed,
                           ApprovalDemand demand) implements Decision {
        public RequireApproval {
            observed = List.copyOf(observed);
            demand = demand == null ? ApprovalDemand.DEFAULT : demand;
        }

        public RequireApproval(String rule, String reason, String policyVersion, List<Observation> observed) {
            this(rule, reason, policyVersion, observed, ApprovalDemand.DEFAULT);
        }

        public RequireApproval(String rule, String reason) {
            this(rule, reason, null, List.of());
        }

        @Override
        public Decision in(String version, List<Observation> seen) {
            return new RequireApproval(rule, reason, version, seen, demand);
        }
    }

    /**
     * An observe-mode rule matched: {@code wouldHave} is what it would have decided in enforce mode. The
     * statement went on to the rules after it.
     */
    record Observation(String rule, Decision wouldHave) {
    }

    static Decision allowWithoutPolicy() {
        return new Allow(NO_POLICY);
    }
}
