package dev.veil.admin;

import dev.veil.approval.ApprovalLinks;
import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.ApprovalStore;
import dev.veil.approval.ApprovalWebhook;
import dev.veil.approval.Approvals;
import dev.veil.approval.SlackMessage;
import dev.veil.config.ApprovalSettings;
import dev.veil.config.Endpoint;
import dev.veil.config.EndpointPassword;
import dev.veil.config.PgClientTls;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import dev.veil.demo.DemoPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The approvals of this instance (veil.approvals.*): the requests table in the control-plane database, which is
 * veil.approvals.control-plane, else the audit table's database, else demo mode's embedded PostgreSQL (database
 * veil_control). Without any, approvals are unavailable and statements held for one are refused, saying so.
 */
@ApplicationScoped
public class ApprovalBeans {
    private static final Logger LOG = Logger.getLogger(ApprovalBeans.class);

    @Produces
    @ApplicationScoped
    Approvals approvals(VeilConfig config, DemoMode demo, Vertx vertx, Clock clock) {
        ApprovalSettings settings = config.approvals();
        PgConnectOptions connect = controlPlane(config, demo);
        if (connect == null) {
            return Approvals.unavailable("approvals are not configured (enable veil.approvals.control-plane or "
                    + "veil.audit.postgres)");
        }
        ApprovalStore store = new ApprovalStore(PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
                .connectingTo(connect).using(vertx).build(), settings.table());
        ApprovalWebhook webhook = settings.webhookUrl().map(URI::create).map(u -> new ApprovalWebhook(vertx, u)).orElse(null);
        List<Consumer<ApprovalRequest>> notify = new CopyOnWriteArrayList<>();
        String base = settings.consoleUrl().orElseGet(ApprovalBeans::ownAddress);
        ApprovalLinks links = new ApprovalLinks(settings.linkSecret().orElse(null), settings.linkLifetime(), base);
        Approvals approvals = new Approvals(store, vertx, clock, settings.timeout(), settings.requestLifetime(),
                settings.pollInterval(), settings.longestWindow(), base, r -> notify.forEach(n -> n.accept(r)), links);
        if (webhook != null) {
            webhook.of(approvals);
            notify.add(webhook);
        }
        settings.slackUrl().map(URI::create).ifPresent(u -> notify.add(new SlackMessage(vertx, u, links, clock)));
        if (!notify.isEmpty() && links.ownKey()) {
            LOG.warn("approvals: veil.approvals.link-secret is not set, so the approve / deny links in notifications are "
                    + "signed with a random key of this process: with several Veil instances behind one address a link "
                    + "fails (as tampered) when the click reaches another instance, and every link stops working when "
                    + "this one restarts. Set the same secret (at least 32 characters) on every instance.");
        }
        LOG.infof("approvals: requests in table %s of %s:%d/%s", settings.table(), connect.getHost(), connect.getPort(),
                connect.getDatabase());
        return approvals;
    }

    public static PgConnectOptions controlPlane(VeilConfig config, DemoMode demo) {
        if (config.approvals().controlPlane().enabled()) {
            return options("veil.approvals.control-plane", config.approvals().controlPlane());
        }
        if (config.audit().postgres().enabled()) {
            return options("veil.audit.postgres", config.audit().postgres());
        }
        if (demo.enabled()) {
            return new PgConnectOptions().setHost(DemoPostgres.HOST).setPort(config.demo().postgresPort())
                    .setDatabase(DemoMode.CONTROL_DATABASE).setUser(DemoPostgres.SUPERUSER);
        }
        return null;
    }

    private static PgConnectOptions options(String prefix, Endpoint e) {
        PgConnectOptions o = new PgConnectOptions().setHost(e.host()).setPort(e.port()).setDatabase(e.database())
                .setUser(e.user());
        PgClientTls.apply(o, e.tls().mode(), e.tls().caFile().orElse(null));
        String password = EndpointPassword.read(prefix, e);
        if (password != null) {
            o.setPassword(password);
        }
        return o;
    }

    /** http://localhost:<the admin HTTP port>: where an administrator on this machine finds the console. */
    private static String ownAddress() {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        return "http://localhost:" + port;
    }
}
