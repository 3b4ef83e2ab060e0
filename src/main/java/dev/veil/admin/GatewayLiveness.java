package dev.veil.admin;

import dev.veil.audit.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive unless something only a restart can mend has broken: the audit writer thread has died (every
 * statement would be refused for good). A failing sink is not this: the writer retries, readiness reports it.
 */
@Liveness
@ApplicationScoped
public class GatewayLiveness implements HealthCheck {
    private final AuditLog audit;

    public GatewayLiveness(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("veil-gateway").status(audit.writerAlive())
                .withData("auditWriter", audit.writerAlive() ? "running" : "stopped").build();
    }
}
