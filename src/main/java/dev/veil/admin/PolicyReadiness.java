package dev.veil.admin;

import dev.veil.policy.PolicySet;
import dev.veil.policy.file.PolicyFile;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the policy in force: whether a policy file is loaded, its version (the hash the audit trail records
 * with every decision) and when it was loaded, and the last refused version with its mistakes. Always UP: Veil
 * does not start with a broken file, and a broken change leaves the version before it in force.
 */
@Readiness
@ApplicationScoped
public class PolicyReadiness implements HealthCheck {
    private final PolicyFile policy;

    public PolicyReadiness(PolicyFile policy) {
        this.policy = policy;
    }

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("veil-policy").up();
        PolicyFile.Status s = policy.status();
        if (!policy.configured()) {
            return b.withData("loaded", false)
                    .withData("policy", "none: veil.policy.file is not set; built-in rules only, everything else is allowed")
                    .build();
        }
        b.withData("file", s.path().toString());
        PolicySet set = s.inForce();
        b.withData("loaded", set != null);
        if (set != null) {
            b.withData("version", set.version())
                    .withData("loadedAt", s.loadedAt().toString())
                    .withData("environment", set.environment().name() + " (protection " + set.environment().protection().label() + ")")
                    .withData("roles", set.roleNames().size())
                    .withData("rules", set.ruleNames().size());
        }
        if (s.refusal() != null) {
            b.withData("refusedVersion", s.refusedVersion() == null ? "unreadable" : s.refusedVersion())
                    .withData("refusedAt", s.refusedAt().toString())
                    .withData("refusal", s.refusal());
        }
        return b.build();
    }
}
