package dev.veil.frontend;

import dev.veil.config.ListenerTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.frontend.pg.PgFrontend;
import dev.veil.session.GatewayStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** The PostgreSQL listener. */
@ApplicationScoped
public class PgListener {
    private static final Logger LOG = Logger.getLogger(PgListener.class);

    private final VeilConfig config;
    private final PgFrontend frontend;
    private final GatewayStatus status;
    private final NetListener net;

    public PgListener(Vertx vertx, VeilConfig config, PgFrontend frontend, GatewayStatus status) {
        this.config = config;
        this.frontend = frontend;
        this.status = status;
        this.net = new NetListener(vertx);
    }

    public Future<Void> start(PemKeyCertOptions certificate) {
        VeilConfig.PgListener pg = config.pg();
        NetServerOptions options = options(pg.host(), pg.port());
        if (certificate != null && pg.tls().mode() != ListenerTlsMode.OFF) {
            options.setKeyCertOptions(certificate).setSsl(false);
            frontend.tlsAvailable(true);
        }
        status.listener("postgresql", false);
        return net.start(options, frontend::accept).onSuccess(instances -> {
            status.listener("postgresql", true);
            LOG.infof("PostgreSQL listener on %s:%d (%d event loops, TLS %s)", pg.host(), pg.port(), instances,
                    frontend.isTlsAvailable() ? pg.tls().mode().name().toLowerCase() : "off");
        }).mapEmpty();
    }

    public Future<Void> stop() {
        status.listener("postgresql", false);
        return net.stop();
    }

    static NetServerOptions options(String host, int port) {
        return new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true).setTcpKeepAlive(true).setReuseAddress(true);
    }
}
