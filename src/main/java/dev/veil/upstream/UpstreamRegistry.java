package dev.veil.upstream;

import dev.veil.config.EndpointPassword;
import dev.veil.config.EndpointTlsMode;
import dev.veil.config.VeilConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import dev.veil.protocol.pg.CancelRequest;
import io.micrometer.core.instrument.MeterRegistry;

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
    private final Map<String, UpstreamPool<?>> pools = new ConcurrentHashMap<>();

    private final MeterRegistry metrics;

    public UpstreamRegistry(Vertx vertx, VeilConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
        config.upstreams().forEach((name, u) -> register(fromConfig(name, u)));
    }

    public void register(UpstreamSettings settings) {
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

    @SuppressWarnings("unchecked")
    public UpstreamPool<PgServerConnection> pool(UpstreamSettings upstream, String database) {
        NetClient client = clients.get(upstream.name());
        return (UpstreamPool<PgServerConnection>) pools.computeIfAbsent(upstream.name() + "\u0000" + database, k -> {
            UpstreamPool<PgServerConnection> p = new UpstreamPool<>(vertx, ctx -> client.connect(upstream.port(), upstream.host())
                    .compose(socket -> PgServerConnection.start(socket, ctx, upstream, database)), upstream, database);
            PoolMetrics.register(metrics, p, "");
            return p;
        });
    }

    /** The pool of MySQL/MariaDB connections for one (upstream, database, client profile). */
    @SuppressWarnings("unchecked")
    public UpstreamPool<MySqlServerConnection> mysqlPool(UpstreamSettings upstream, String database, MySqlProfile profile) {
        NetClient client = clients.get(upstream.name());
        return (UpstreamPool<MySqlServerConnection>) pools.computeIfAbsent(upstream.name() + "\u0000" + database + "\u0000" + profile.key(), k -> {
            UpstreamPool<MySqlServerConnection> p = new UpstreamPool<>(vertx, ctx -> connectMySql(client, upstream, database, profile, ctx),
                    upstream, database);
            PoolMetrics.register(metrics, p, profile.key());
            return p;
        });
    }

    /** Opens one unpooled MySQL connection on the given event loop (control work: KILL, server probes). */
    public Future<MySqlServerConnection> connectMySql(UpstreamSettings upstream, String database, MySqlProfile profile, Context ctx) {
        return connectMySql(clients.get(upstream.name()), upstream, database, profile, ctx);
    }

    private static Future<MySqlServerConnection> connectMySql(NetClient client, UpstreamSettings upstream, String database,
                                                              MySqlProfile profile, Context ctx) {
        if (Vertx.currentContext() != ctx) {
            // The server speaks first, and a socket drops what it reads before it has a handler. Asked from another
            // thread (start-up), the socket would be opened on that thread's context and get its handler only when
            // that thread comes back to it, after the loop may have read the greeting: the handshake would wait forever.
            Promise<MySqlServerConnection> opened = Promise.promise();
            ctx.runOnContext(v -> connectMySql(client, upstream, database, profile, ctx).onComplete(opened));
            return opened.future();
        }
        return client.connect(upstream.port(), upstream.host())
                .compose(socket -> MySqlServerConnection.start(socket, ctx, upstream, database, profile));
    }

    public Map<String, UpstreamPool.PoolStats> poolStats() {
        Map<String, UpstreamPool.PoolStats> out = new LinkedHashMap<>();
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
            socket.write(new CancelRequest(
                    server.backendKey().processId(), server.backendKey().secretKey()).encode());
            socket.handler(b -> { });
            vertx.setTimer(5_000, id -> socket.close());
            socket.closeHandler(v -> { });
        }).onFailure(e -> LOG.warnf("could not forward a cancel request to %s: %s", u.name(), e.getMessage()));
    }

    public void shutdown() {
        pools.values().forEach(UpstreamPool::close);
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
                o.setHostnameVerificationAlgorithm(u.tls().mode() == EndpointTlsMode.VERIFY_FULL ? "HTTPS" : "");
            }
        }
        return o;
    }

    static UpstreamSettings fromConfig(String name, VeilConfig.Upstream u) {
        VeilConfig.Pool p = u.pool();
        return new UpstreamSettings(name, u.kind(), u.host(), u.port(), u.database(), u.user(),
                EndpointPassword.read("veil.upstreams." + name, u),
                new UpstreamSettings.TlsSettings(u.tls().mode(), u.tls().caFile().orElse(null)),
                new UpstreamSettings.PoolSettings(p.minSize(), p.maxSize(), p.idleTimeout(), p.acquireTimeout(),
                        p.connectTimeout(), p.healthCheckAfterIdle(), p.maintenanceInterval()));
    }
}
