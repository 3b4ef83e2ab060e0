package dev.veil.admin;

import dev.veil.audit.AuditLog;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.file.PolicyFile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The policy engine (built-in rules, then the policy file in force) and the policy file as application beans;
 * the policy package itself knows nothing of CDI. The demo brings its own policy file when none is configured. The gateway loads the file at start ({@link PolicyFile#start}).
 */
@ApplicationScoped
public class PolicyBeans {
    @Produces
    @Singleton // called for every statement: no client proxy in between
    PolicyEngine policyEngine(Clock clock) {
        return PolicyEngine.builtIn(clock);
    }

    @Produces
    @ApplicationScoped
    PolicyFile policyFile(VeilConfig config, DemoMode demo, PolicyEngine engine, Clock clock, AuditLog audit) {
        Path file = config.policy().file().filter(f -> !f.isBlank()).map(Path::of)
                .orElseGet(() -> demo.enabled() && config.demo().policy() ? demo.policyFile() : null);
        return new PolicyFile(file, config.environment(), engine, clock, audit::record);
    }
}
