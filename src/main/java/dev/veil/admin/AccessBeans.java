package dev.veil.admin;

import dev.veil.approval.ApprovalWebhook;
import dev.veil.approval.access.Access;
import dev.veil.approval.access.AccessActions;
import dev.veil.approval.access.AccessGrant;
import dev.veil.approval.access.AccessStore;
import dev.veil.audit.AuditLog;
import dev.veil.config.AccessSettings;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import dev.veil.policy.PolicyEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Just-in-time access (veil.access.*, docs/access.md): its table in the approvals' control-plane database
 * ({@link ApprovalBeans#controlPlane}); without one, nothing can be requested and no session holds a grant.
 * Break-glass grants are also posted to veil.approvals.webhook-url.
 */
@ApplicationScoped
public class AccessBeans {
    private static final Logger LOG = Logger.getLogger(AccessBeans.class);

    @Produces
    @ApplicationScoped
    Access access(VeilConfig config, DemoMode demo, Vertx vertx, Clock clock) {
        AccessSettings settings = config.access();
        PgConnectOptions connect = ApprovalBeans.controlPlane(config, demo);
        if (connect == null) {
            return Access.unavailable("access requests are not configured (enable veil.approvals.control-plane or "
                    + "veil.audit.postgres)");
        }
        AccessStore store = new AccessStore(PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
                .connectingTo(connect).using(vertx).build(), settings.table());
        ApprovalWebhook webhook = config.approvals().webhookUrl().map(URI::create)
                .map(u -> new ApprovalWebhook(vertx, u)).orElse(null);
        Consumer<AccessGrant> brokeGlass = webhook == null ? g -> { }
                : g -> webhook.breakGlass(g.id(), g.identity(), g.role(), g.environment(), g.expires(), g.reason());
        LOG.infof("access: requests and grants in table %s of %s:%d/%s", settings.table(), connect.getHost(),
                connect.getPort(), connect.getDatabase());
        return new Access(store, vertx, clock, config.environment(), settings.requestLifetime(), settings.lookupTimeout(),
                settings.checkInterval(), brokeGlass);
    }

    @Produces
    @ApplicationScoped
    AccessActions accessActions(Access access, PolicyEngine policy, AuditLog audit, MeterRegistry metrics) {
        return new AccessActions(access, policy, audit, metrics);
    }
}
