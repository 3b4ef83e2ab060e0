package dev.veil.console;

import dev.veil.admin.ApprovalBeans;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

/**
 * Where the console's sign-ins live: the approvals' control-plane database ({@link ApprovalBeans#controlPlane}:
 * veil.approvals.control-plane, else the audit database, else demo mode's embedded PostgreSQL), in table
 * veil.console.signins-table; without one, this process only, as before there was a control plane.
 */
@ApplicationScoped
public class SignInStores {
    private static final Logger LOG = Logger.getLogger(SignInStores.class);

    @Produces
    @ApplicationScoped
    SignInStore signIns(VeilConfig config, DemoMode demo, Vertx vertx) {
        PgConnectOptions connect = ApprovalBeans.controlPlane(config, demo);
        if (connect == null) {
            LOG.info("console: sign-ins held in this process (no control-plane database): a restart signs everybody "
                    + "out, and with several Veil instances a browser must stay on one");
            return new LocalSignIns();
        }
        String where = connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
        String table = config.console().signinsTable();
        LOG.infof("console: sign-ins in table %s of %s, shared by every Veil instance on it", table, where);
        // A lookup must not wait out the client's 60 s default when the database is down: the page fails closed.
        connect.setConnectTimeout((int) SharedSignIns.WAIT.toMillis());
        return new SharedSignIns(PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(connect)
                .using(vertx).build(), table, where);
    }
}
