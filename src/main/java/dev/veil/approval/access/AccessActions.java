package dev.veil.approval.access;

import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.policy.AccessSection;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicySet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the API ({@code /api/v1/access}) and the console's Access page do, the same way: check a request against the
 * access section of the policy in force, record the action in the audit trail before it takes effect (an
 * {@code admin.action}; break-glass its own {@code access.break-glass} event, a WARN log and the
 * {@code veil.access.break.glass} counter), then change the store. A refusal by the store is recorded too.
 * Blocking: called on worker threads.
 */
public final class AccessActions {
    private static final Logger LOG = Logger.getLogger(AccessActions.class);
    private static final long WAIT_SECONDS = 30;

    /** The grant after the action, or why it was refused: an HTTP status and a message. */
    public record Outcome(AccessGrant grant, int refusal, String problem) {
        static Outcome refused(int status, String problem) {
            return new Outcome(null, status, problem);
        }
    }

    private final Access access;
    private final PolicyEngine policy;
    private final AuditLog audit;
    private final Counter brokeGlass;

    public AccessActions(Access access, PolicyEngine policy, AuditLog audit, MeterRegistry metrics) {
        this.access = access;
        this.policy = policy;
        this.audit = audit;
        this.brokeGlass = metrics == null ? null : Counter.builder("veil.access.break.glass")
                .description("Roles taken at once without approval (break-glass)").register(metrics);
    }

    public Access access() {
        return access;
    }

    /** The access section of the policy in force (none without a policy file). */
    public AccessSection section() {
        PolicySet set = policy.policy();
        return set == null ? AccessSection.NONE : set.access();
    }

    /**
     * {@code who}, bound to policy roles {@code held}, asks for {@code role} for {@code duration}, or takes it at once
     * ({@code breakGlass}). The reason is mandatory.
     */
    public Outcome request(String who, List<String> held, String role, Duration duration, String reason, boolean breakGlass,
                           String target) throws Exception {
        if (access.unavailableReason() != null) {
            return Outcome.refused(503, access.unavailableReason());
        }
        if (role == null || role.isBlank()) {
            return Outcome.refused(400, "role: name the policy role you ask for");
        }
        if (duration == null) {
            return Outcome.refused(400, "for: how long, such as 30m, 2h or 1d");
        }
        if (reason == null || reason.isBlank()) {
            return Outcome.refused(400, "reason: say why you need role " + role + " (approvers and the audit trail see it)");
        }
        AccessSection section = section();
        String refusal = section.refusal(role, held, duration, breakGlass);
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("role", role);
        detail.put("for", AccessSection.human(duration));
        detail.put("reason", reason);
        if (refusal != null) {
            record(who, breakGlass ? "access.break-glass" : "access.request", target, detail, false, refusal);
            return Outcome.refused(403, refusal);
        }
        AccessSection.Requestable r = section.role(role).orElseThrow();
        if (!breakGlass) {
            record(who, "access.request", target, detail, true, null);
            return new Outcome(await(access.request(who, r, duration, reason)), 0, null);
        }
        AccessGrant planned = access.plannedBreakGlass(who, r, duration, reason);
        // Loud before it takes effect: its own audit event (durable), a WARN, a counter; the webhook once stored.
        recorded(new AuditEvent.BreakGlass(planned.created(), who, planned.id(), role, planned.environment(),
                duration.toMinutes(), planned.expires(), reason));
        LOG.warnf("BREAK-GLASS: %s took role %s in %s for %s without approval (grant %s): %s", who, role,
                planned.environment(), AccessSection.human(duration), planned.id(), reason);
        if (brokeGlass != null) {
            brokeGlass.increment();
        }
        return new Outcome(await(access.store(planned)), 0, null);
    }

    /** {@code who}, holding {@code roles}, approves or denies request {@code id}. */
    public Outcome vote(String who, Set<String> roles, String id, boolean approve, String reason, String target)
            throws Exception {
        if (access.unavailableReason() != null) {
            return Outcome.refused(503, access.unavailableReason());
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("id", id);
        detail.put("reason", reason);
        String action = approve ? "access.approve" : "access.deny";
        record(who, action, target, detail, true, null);
        AccessStore.Changed c = await(access.store().vote(id, who, roles, approve, blankToNull(reason),
                access.clock().instant()));
        return changed(who, action, target, detail, c);
    }

    /** {@code who} ends a pending request or a grant in force; {@code admin}: it holds the admin role. */
    public Outcome revoke(String who, Set<String> roles, boolean admin, String id, String reason, String target)
            throws Exception {
        if (access.unavailableReason() != null) {
            return Outcome.refused(503, access.unavailableReason());
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("id", id);
        detail.put("reason", reason);
        record(who, "access.revoke", target, detail, true, null);
        AccessStore.Changed c = await(access.store().revoke(id, who, roles, admin, blankToNull(reason),
                access.clock().instant()));
        return changed(who, "access.revoke", target, detail, c);
    }

    private Outcome changed(String who, String action, String target, Map<String, String> detail, AccessStore.Changed c)
            throws Exception {
        if (c.grant() == null) {
            record(who, action, target, detail, false, c.problem());
            return Outcome.refused(c.refusal(), c.problem());
        }
        return new Outcome(c.grant(), 0, null);
    }

    private void record(String who, String action, String target, Map<String, String> detail, boolean ok, String refused)
            throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        detail.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                d.put(k, v);
            }
        });
        if (refused != null) {
            d.put("refused", refused);
        }
        recorded(new AuditEvent.AdminAction(access.clock().instant(), who, action, target, d, ok));
    }

    /** Waits for the event to be durable: an action whose record cannot be written is not taken. */
    private void recorded(AuditEvent e) throws Exception {
        try {
            audit.record(e).get(audit.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception x) {
            throw new AuditUnavailable("the audit log could not record this action, so it was not taken: " + x.getMessage());
        }
    }

    /** The audit trail could not record an action, which was therefore not taken (503). */
    public static final class AuditUnavailable extends Exception {
        AuditUnavailable(String message) {
            super(message);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
