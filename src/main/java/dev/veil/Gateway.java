package dev.veil;

import dev.veil.audit.AuditLog;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import dev.veil.frontend.FrontendTls;
import dev.veil.frontend.PgListener;
import dev.veil.upstream.UpstreamRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Start-up order: demo databases (if any), the audit log, then listeners; shutdown in reverse.
 * The {@code serve} command starts it ({@link dev.veil.cli.ServeCommand}); under {@code @QuarkusTest},
 * where no command line runs, it starts with the application.
 */
@ApplicationScoped
public class Gateway {
    private static final Logger LOG = Logger.getLogger(Gateway.class);

    private final VeilConfig config;
    private final DemoMode demo;
    private final PgListener pgListener;
    private final UpstreamRegistry upstreams;
    private final AuditLog audit;

    private final int httpPort;
    private boolean started;

    public Gateway(VeilConfig config, DemoMode demo, PgListener pgListener, UpstreamRegistry upstreams, AuditLog audit,
                   @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int httpPort) {
        this.httpPort = httpPort;
        this.config = config;
        this.demo = demo;
        this.pgListener = pgListener;
        this.upstreams = upstreams;
        this.audit = audit;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        if (LaunchMode.current() == LaunchMode.TEST) {
            start();
        }
    }

    public synchronized void start() throws Exception {
        if (started) {
            return;
        }
        started = true;
        boolean demoMode = demo.enabled();
        if (demoMode) {
            demo.start();
        }
        audit.start();
        VeilConfig.Tls tls = config.pg().tls();
        PemKeyCertOptions certificate = null;
        if (tls.mode() != VeilConfig.TlsMode.OFF) {
            if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
                certificate = FrontendTls.fromFiles(tls.certFile().get(), tls.keyFile().get());
            } else {
                LOG.info("no TLS certificate configured (veil.pg.tls.cert-file/key-file): using a self-signed one");
                certificate = FrontendTls.selfSigned();
            }
        }
        if (config.pg().enabled()) {
            pgListener.start(certificate).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (demoMode) {
            LOG.info(demo.banner(config.pg().host(), config.pg().port(), httpPort));
        }
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        synchronized (this) {
            if (!started) {
                return;
            }
        }
        pgListener.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstreams.shutdown();
        audit.stop();
        demo.stop();
    }
}
