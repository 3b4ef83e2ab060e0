package dev.veil.frontend;

import dev.veil.config.VeilConfig;
import dev.veil.frontend.pg.PgFrontend;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.NetServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The PostgreSQL listener: one NetServer per event loop on the same port (Vert.x spreads accepted
 * connections over them), so each client connection is served by one thread from accept to close.
 */
@ApplicationScoped
public class PgListener {
    private static final Logger LOG = Logger.getLogger(PgListener.class);

    private final Vertx vertx;
    private final VeilConfig config;
    private final PgFrontend frontend;
    private final dev.veil.session.GatewayStatus status;
    private volatile String deploymentId;

    public PgListener(Vertx vertx, VeilConfig config, PgFrontend frontend, dev.veil.session.GatewayStatus status) {
        this.vertx = vertx;
        this.config = config;
        this.frontend = frontend;
        this.status = status;
    }

    public Future<Void> start(PemKeyCertOptions certificate) {
        VeilConfig.PgListener pg = config.pg();
        NetServerOptions options = new NetServerOptions().setHost(pg.host()).setPort(pg.port())
                .setTcpNoDelay(true).setTcpKeepAlive(true).setReuseAddress(true);
        if (certificate != null && pg.tls().mode() != VeilConfig.TlsMode.OFF) {
            // TLS starts inside the protocol (SSLRequest), so the server is plain with a certificate ready.
            options.setKeyCertOptions(certificate).setSsl(false);
            frontend.tlsAvailable(true);
        }
        status.listener("postgresql", false);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return vertx.deployVerticle(() -> new Instance(options, frontend), new DeploymentOptions().setInstances(instances))
                .onSuccess(id -> {
                    deploymentId = id;
                    status.listener("postgresql", true);
                    LOG.infof("PostgreSQL listener on %s:%d (%d event loops, TLS %s)", pg.host(), pg.port(), instances,
                            frontend.isTlsAvailable() ? pg.tls().mode().name().toLowerCase() : "off");
                })
                .mapEmpty();
    }

    public Future<Void> stop() {
        status.listener("postgresql", false);
        return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    }

    private static final class Instance extends AbstractVerticle {
        private final NetServerOptions options;
        private final PgFrontend frontend;
        private NetServer server;

        Instance(NetServerOptions options, PgFrontend frontend) {
            this.options = options;
            this.frontend = frontend;
        }

        @Override
        public void start(Promise<Void> started) {
            server = vertx.createNetServer(options);
            server.connectHandler(frontend::accept);
            server.listen().<Void>mapEmpty().onComplete(started);
        }
    }
}
