package dev.veil.frontend;

import dev.veil.config.ListenerTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.frontend.mysql.MySqlFrontend;
import dev.veil.session.GatewayStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** The MySQL listener: started when at least one upstream of kind mysql or mariadb is configured. */
@ApplicationScoped
public class MySqlListener {
    private static final Logger LOG = Logger.getLogger(MySqlListener.class);

    private final VeilConfig config;
    private final MySqlFrontend frontend;
    private final GatewayStatus status;
    private final NetListener net;

    public MySqlListener(Vertx vertx, VeilConfig config, MySqlFrontend frontend, GatewayStatus status) {
        this.config = config;
        this.frontend = frontend;
        this.status = status;
        this.net = new NetListener(vertx);
    }

    /** True when the listener should run: enabled, and some MySQL upstream exists to send clients to. */
    public boolean wanted() {
        return config.mysql().enabled() && frontend.hasUpstreams();
    }

    public Future<Void> start(PemKeyCertOptions certificate) {
        VeilConfig.MySqlListener my = config.mysql();
        NetServerOptions options = PgListener.options(my.host(), my.port());
        if (certificate != null && my.tls().mode() != ListenerTlsMode.OFF) {
            options.setKeyCertOptions(certificate).setSsl(false);
            frontend.tlsAvailable(true);
        }
        status.listener("mysql", false);
        // Learn the servers' greetings first, so that the first client already sees the real server version.
        return frontend.probeUpstreams().compose(v -> net.start(options, frontend::accept)).onSuccess(instances -> {
            status.listener("mysql", true);
            LOG.infof("MySQL listener on %s:%d (%d event loops, TLS %s)", my.host(), my.port(), instances,
                    frontend.isTlsAvailable() ? my.tls().mode().name().toLowerCase() : "off");
        }).mapEmpty();
    }

    public Future<Void> stop() {
        status.listener("mysql", false);
        return net.stop();
    }
}
