package dev.veil.admin;

import dev.veil.audit.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the audit log can record: otherwise Veil refuses statements (fail closed). */
@Readiness
@ApplicationScoped
public class AuditReadiness implements HealthCheck {
    private final AuditLog audit;

    public AuditReadiness(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public HealthCheckResponse call() {
        String reason = audit.unavailableReason();
        var b = HealthCheckResponse.named("veil-audit").status(reason == null)
                .withData("enabled", audit.enabled())
                .withData("failClosed", audit.failClosed())
                .withData("queueDepth", audit.queueDepth())
                .withData("directory", audit.directory().toString());
        if (reason != null) {
            b.withData("reason", reason);
        }
        return b.build();
    }
}
