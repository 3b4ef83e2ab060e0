package dev.veil;

import dev.veil.audit.AuditLog;
import dev.veil.config.ConfigValidation;
import dev.veil.config.Listener;
import dev.veil.config.ListenerTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMariaDb;
import dev.veil.demo.DemoMode;
import dev.veil.demo.DemoPostgres;
import dev.veil.frontend.ServerCertificate;
import dev.veil.frontend.WireListener;
import dev.veil.frontend.mysql.MySqlEngine;
import dev.veil.frontend.pg.PgEngine;
import dev.veil.identity.LocalAccounts;
import dev.veil.policy.file.PolicyFile;
import dev.veil.session.GatewayStatus;
import dev.veil.session.ListenersStarted;
import dev.veil.session.SessionLifetime;
import dev.veil.upstream.UpstreamRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Start-up order: demo databases (if any), then listeners; shutdown in reverse. */
@ApplicationScoped
public class Gateway {
    private static final Logger LOG = Logger.getLogger(Gateway.class);

    private final VeilConfig config;
    private final DemoMode demo;
    private final WireListener pgListener;
    private final WireListener mysqlListener;
    private final MySqlEngine mysql;
    private final UpstreamRegistry upstreams;
    private final AuditLog audit;
    private final SessionLifetime sessionLifetime;
    private final PolicyFile policy;
    private final Event<ListenersStarted> listenersStarted;
    private final LocalAccounts accounts;
    private final Vertx vertx;

    private final int httpPort;
    private boolean started;

    public Gateway(VeilConfig config, DemoMode demo, Vertx vertx, GatewayStatus status, PgEngine pg, MySqlEngine mysql,
                   UpstreamRegistry upstreams, AuditLog audit,
                   SessionLifetime sessionLifetime, PolicyFile policy, Event<ListenersStarted> listenersStarted,
                   LocalAccounts accounts,
                   @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int httpPort) {
        this.httpPort = httpPort;
        this.config = config;
        this.demo = demo;
        this.pgListener = new WireListener(vertx, status, pg, config.pg());
        this.mysqlListener = new WireListener(vertx, status, mysql, config.mysql());
        this.mysql = mysql;
        this.upstreams = upstreams;
        this.audit = audit;
        this.sessionLifetime = sessionLifetime;
        this.policy = policy;
        this.listenersStarted = listenersStarted;
        this.accounts = accounts;
        this.vertx = vertx;
    }

    /** In tests the gateway starts with the application; otherwise the {@code serve} command starts it. */
    void onStart(@Observes StartupEvent event) throws Exception {
        if (LaunchMode.current() == LaunchMode.TEST) {
            start();
        }
    }

    public synchronized void start() throws Exception {
        if (started) {
            return;
        }
        ConfigValidation.check(config);
        boolean demoMode = demo.enabled();
        ports(demoMode).requireFree();
        started = true;
        if (demoMode) {
            demo.start();
        }
        audit.start();
        policy.start(); // after the audit log: the policy.reloaded record of the start goes there, refused or not
        sessionLifetime.start();
        ServerCertificate pgCertificate = certificate(config.pg().tls(), "veil.pg");
        ServerCertificate mysqlCertificate = certificate(config.mysql().tls(), "veil.mysql");
        // Each local account's SCRAM verifier takes 4,096 PBKDF2 rounds (about 12 ms in the native executable, which
        // has no SHA-256 intrinsics): derived on a worker while the listeners get ready, not on the event loop of
        // the first login (the bean is made at its first use).
        Future<Integer> accountsDerived = vertx.executeBlocking(accounts::size, false);
        // Both listeners build their TLS context and open their ports at the same time.
        Future<Void> pgStarted = config.pg().enabled() ? pgListener.start(pgCertificate) : Future.succeededFuture();
        Future<Void> mysqlStarted = Future.succeededFuture();
        if (config.mysql().enabled() && mysql.hasUpstreams()) {
            mysqlStarted = mysqlListener.start(mysqlCertificate);
        } else if (config.mysql().enabled()) {
            LOG.info("MySQL listener not started: no upstream of kind mysql or mariadb is configured");
        }
        pgStarted.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        mysqlStarted.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        accountsDerived.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        listenersStarted.fire(new ListenersStarted());
        if (demoMode) {
            LOG.info(demo.banner(config.pg().host(), config.pg().port(), httpPort));
        }
    }

    /** Every port this start will listen on, with the property and environment variable that move it. */
    private ListenPorts ports(boolean demoMode) {
        ListenPorts ports = new ListenPorts();
        if (config.pg().enabled()) {
            ports.add("veil.pg.port", "VEIL_PG_PORT", config.pg().host(), config.pg().port());
        }
        boolean mysqlListens = config.mysql().enabled() && (demoMode || mysql.hasUpstreams());
        if (mysqlListens) {
            ports.add("veil.mysql.port", "VEIL_MYSQL_PORT", config.mysql().host(), config.mysql().port());
        }
        if (demoMode) {
            ports.add("veil.demo.postgres-port", "VEIL_DEMO_POSTGRES_PORT", DemoPostgres.HOST, config.demo().postgresPort());
            if (mysqlListens) {
                ports.add("veil.demo.mariadb-port", "VEIL_DEMO_MARIADB_PORT", DemoMariaDb.HOST, config.demo().mariadbPort());
            }
        }
        return ports;
    }

    private ServerCertificate selfSigned;

    /** The listener's configured certificate, or one self-signed certificate shared by both listeners. */
    private ServerCertificate certificate(Listener.Tls tls, String prefix) throws Exception {
        if (tls.mode() == ListenerTlsMode.OFF) {
            return null;
        }
        if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
            try {
                return ServerCertificate.fromPemFiles(Path.of(tls.certFile().get()), Path.of(tls.keyFile().get()));
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalStateException(prefix + ".tls: could not load the certificate: " + e.getMessage(), e);
            }
        }
        if (selfSigned == null) {
            LOG.infof("no TLS certificate configured (%s.tls.cert-file/key-file): using a self-signed one", prefix);
            selfSigned = ServerCertificate.selfSigned();
        }
        return selfSigned;
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        synchronized (this) {
            if (!started) {
                return;
            }
        }
        pgListener.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        mysqlListener.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        sessionLifetime.stop();
        policy.close();
        upstreams.shutdown();
        audit.stop();
        demo.stop();
    }
}
