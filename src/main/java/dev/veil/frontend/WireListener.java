package dev.veil.frontend;

import dev.veil.config.Listener;
import dev.veil.config.ListenerTlsMode;
import dev.veil.session.GatewayStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import org.jboss.logging.Logger;

import java.util.Locale;

/**
 * A listening port for one wire protocol: it opens the port on every event loop and hands accepted sockets to
 * its engine. TLS starts inside the protocol (SSLRequest), so the server is plain with a certificate ready for
 * {@code upgradeToSsl}.
 */
public final class WireListener {
    private static final Logger LOG = Logger.getLogger(WireListener.class);

    private final WireEngine engine;
    private final GatewayStatus status;
    private final NetListener net;
    private final String host;
    private final int port;
    private final ListenerTlsMode tlsMode;
    private final Vertx vertx;
    private volatile ListenerTls tls;

    public WireListener(Vertx vertx, GatewayStatus status, WireEngine engine, Listener settings) {
        this.engine = engine;
        this.status = status;
        this.net = new NetListener(vertx);
        this.host = settings.host();
        this.port = settings.port();
        this.tlsMode = settings.tls().mode();
        this.vertx = vertx;
    }

    /**
     * Opens the port; {@code certificate} null when TLS is off. The TLS context is built first, on a worker
     * thread ({@link ListenerTls}), so no client waits for it.
     */
    public Future<Void> start(ServerCertificate certificate) {
        NetServerOptions options = new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                .setTcpKeepAlive(true).setReuseAddress(true);
        status.listener(engine.protocol(), false);
        Future<ListenerTls> prepared = certificate == null || tlsMode == ListenerTlsMode.OFF ? Future.succeededFuture()
                : vertx.executeBlocking(() -> ListenerTls.prepare(certificate), false).recover(e -> Future.failedFuture(
                        new IllegalStateException(engine.properties() + ".tls: could not load the certificate: " + e.getMessage(), e)));
        return prepared.compose(ready -> {
            if (ready != null) {
                ready.applyTo(options);
                tls = ready;
                engine.tlsAvailable(true);
            }
            return engine.beforeListening();
        }).compose(v -> net.start(options, engine::accept)).onSuccess(instances -> {
            status.listener(engine.protocol(), true);
            LOG.infof("%s listener on %s:%d (%d event loops, TLS %s)", engine.displayName(), host, net.port(), instances,
                    engine.isTlsAvailable() ? tlsMode.name().toLowerCase(Locale.ROOT) : "off");
        }).mapEmpty();
    }

    /** The port listened on (the free port picked when configured as 0), once started. */
    public int port() {
        return net.port();
    }

    /** The TLS every client of this listener is served with, ready since start; null while TLS is off. */
    public ListenerTls tls() {
        return tls;
    }

    public Future<Void> stop() {
        status.listener(engine.protocol(), false);
        return net.stop();
    }
}
