package dev.veil.upstream;

import dev.veil.config.VeilConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The named upstreams and their pools, one pool per (upstream, database). Upstreams come from configuration,
 * plus the embedded ones demo mode registers before the listeners start.
 */
@ApplicationScoped
public class UpstreamRegistry {
    private static final Logger LOG = Logger.getLogger(UpstreamRegistry.class);

    private final Vertx vertx;
    private final Map<String, UpstreamSettings> upstreams = new ConcurrentHashMap<>();
    private final Map<String, NetClient> clients = new ConcurrentHashMap<>();
    private final Map<String, PgUpstreamPool> pools = new ConcurrentHashMap<>();

    private final io.micrometer.core.instrument.MeterRegistry metrics;

    public UpstreamRegistry(Vertx vertx, VeilConfig config, io.micrometer.core.instrument.MeterRegistry metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
        config.upstreams().forEach((name, u) -> register(fromConfig(name, u)));
    }

    public void register(UpstreamSettings settings) {
        if (settings.pool().maxSize() < 1 || settings.pool().minSize() > settings.pool().maxSize()) {
            throw new IllegalArgumentException("upstream " + settings.name() + ": pool sizes must satisfy 0 <= min-size <= max-size, max-size >= 1");
        }
        upstreams.put(settings.name(), settings);
        clients.put(settings.name(), vertx.createNetClient(clientOptions(settings)));
        LOG.infof("upstream %s", settings);
    }

    public Optional<UpstreamSettings> find(String name) {
        return Optional.ofNullable(upstreams.get(name));
    }

    public Collection<UpstreamSettings> all() {
        return upstreams.values();
    }

    public PgUpstreamPool pool(UpstreamSettings upstream, String database) {
        return pools.computeIfAbsent(upstream.name() + "\u0000" + database, k -> {
            PgUpstreamPool p = new PgUpstreamPool(vertx, clients.get(upstream.name()), upstream, database);
            PoolMetrics.register(metrics, p);
            return p;
        });
    }

    public Map<String, PgUpstreamPool.PoolStats> poolStats() {
        Map<String, PgUpstreamPool.PoolStats> out = new LinkedHashMap<>();
        pools.values().forEach(p -> out.put(p.upstream().name() + "/" + p.database(), p.stats()));
        return out;
    }

    /**
     * Forwards a client's cancel to the server process running its statement. A new connection carries only
     * the CancelRequest, as the protocol requires; the server never answers it.
     */
    public void cancel(PgServerConnection server) {
        if (server.backendKey() == null) {
            return;
        }
        UpstreamSettings u = server.upstream();
        clients.get(u.name()).connect(u.port(), u.host()).onSuccess(socket -> {
            socket.write(new dev.veil.frontend.pg.message.CancelRequest(
                    server.backendKey().processId(), server.backendKey().secretKey()).encode());
            socket.handler(b -> { });
            vertx.setTimer(5_000, id -> socket.close());
            socket.closeHandler(v -> { });
        }).onFailure(e -> LOG.warnf("could not forward a cancel request to %s: %s", u.name(), e.getMessage()));
    }

    public void shutdown() {
        pools.values().forEach(PgUpstreamPool::close);
    }

    private static NetClientOptions clientOptions(UpstreamSettings u) {
        NetClientOptions o = new NetClientOptions()
                .setTcpNoDelay(true)
                .setTcpKeepAlive(true)
                .setConnectTimeout((int) u.pool().connectTimeout().toMillis());
        switch (u.tls().mode()) {
            case DISABLE -> { }
            case PREFER, REQUIRE -> o.setTrustAll(true).setHostnameVerificationAlgorithm("");
            case VERIFY_CA, VERIFY_FULL -> {
                if (u.tls().caFile() != null) {
                    o.setTrustOptions(new PemTrustOptions().addCertPath(u.tls().caFile()));
                }
                // verify-ca checks the chain only; verify-full also checks the host name, as libpq does.
                o.setHostnameVerificationAlgorithm(u.tls().mode() == UpstreamSettings.TlsMode.VERIFY_FULL ? "HTTPS" : "");
            }
        }
        return o;
    }

    static UpstreamSettings fromConfig(String name, VeilConfig.Upstream u) {
        VeilConfig.Pool p = u.pool();
        return new UpstreamSettings(name, u.kind(), u.host(), u.port(), u.database(), u.user(), resolvePassword(name, u),
                new UpstreamSettings.TlsSettings(UpstreamSettings.TlsMode.parse(u.tls().mode()), u.tls().caFile().orElse(null)),
                new UpstreamSettings.PoolSettings(p.minSize(), p.maxSize(), p.idleTimeout(), p.acquireTimeout(),
                        p.connectTimeout(), p.healthCheckAfterIdle(), p.maintenanceInterval()));
    }

    private static String resolvePassword(String name, VeilConfig.Upstream u) {
        if (u.passwordFile().isPresent()) {
            try {
                return Files.readString(Path.of(u.passwordFile().get()), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("upstream " + name + ": cannot read password-file " + u.passwordFile().get() + ": " + e.getMessage(), e);
            }
        }
        if (u.passwordEnv().isPresent()) {
            String v = System.getenv(u.passwordEnv().get());
            if (v == null) {
                throw new IllegalStateException("upstream " + name + ": environment variable " + u.passwordEnv().get() + " is not set");
            }
            return v;
        }
        return u.password().orElse(null);
    }
}
