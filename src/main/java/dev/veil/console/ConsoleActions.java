package dev.veil.console;

import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every console action is an {@code admin.action} in the audit trail (actor, action, the console path as target),
 * recorded before the action is taken, as the admin API does: when the record cannot be written the action is not
 * taken and the page says so (503).
 */
@ApplicationScoped
public class ConsoleActions {
    private final AuditLog audit;
    private final Clock clock;

    public ConsoleActions(AuditLog audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    void record(String actor, String action, String target, Map<String, String> detail, boolean ok) {
        Map<String, String> d = new LinkedHashMap<>();
        detail.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                d.put(k, v);
            }
        });
        try {
            audit.record(new AuditEvent.AdminAction(clock.instant(), actor, action, target, d, ok))
                    .get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    private static WebApplicationException unavailable(Exception e) {
        return new WebApplicationException(Response.status(503).type("text/plain; charset=utf-8")
                .entity("The audit log cannot record this console action, so it was not taken: " + e.getMessage()).build());
    }
}
