package dev.veil.policy;

import java.time.Duration;
import java.util.List;

/**
 * Who must approve a statement a rule holds for approval, and how long its client waits: {@code count} distinct
 * approvers, each holding one of {@code roles}; {@code timeout} null means veil.approvals.timeout. Written in a rule
 * as {@code approvers: {roles: [admin], count: 2}} and {@code timeout: 10m}.
 */
public record ApprovalDemand(List<String> roles, int count, Duration timeout) {
    /** One approver holding the role admin, the configured wait: what a rule (or guardrail) asks without saying. */
    public static final ApprovalDemand DEFAULT = new ApprovalDemand(List.of("admin"), 1, null);

    public ApprovalDemand {
        roles = List.copyOf(roles);
    }
}
