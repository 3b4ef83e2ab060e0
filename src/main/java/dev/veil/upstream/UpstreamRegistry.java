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

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;
import dev.veil.protocol.pg.CancelRequest;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The named upstreams and their pools, one pool per (upstream, database, database user), and per client profile
 * for MySQL: a server connection never serves sessions of another database user.
 * Upstreams come from configuration, plus the embedded ones demo mode registers before the listeners start.
 * Pools come and go with use (see {@link UpstreamPool}): a name a client made up leaves no pool or metric
 * behind, and a database's pool ends after idle-pool-timeout without a session, or when the database is dropped
 * through Veil. The pool of each upstream's configured database stays.
 */
@ApplicationScoped
public class UpstreamRegistry {
    private static final Logger LOG = Logger.getLogger(UpstreamRegistry.class);

    private final Vertx vertx;
    private final Map<String, UpstreamSettings> upstreams = new ConcurrentHashMap<>();
    private final Map<String, NetClient> clients = new ConcurrentHashMap<>();
    private final Map<PoolKey, UpstreamPool<?>> pools = new ConcurrentHashMap<>();
    private final Map<UpstreamPool<?>, List<Meter>> poolMeters = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, String>> databaseUnused = new CopyOnWriteArrayList<>();

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

    /** The pool of PostgreSQL connections for one (upstream, database) as the upstream's own user. */
    public UpstreamPool<PgServerConnection> pool(UpstreamSettings upstream, String database) {
        return pool(upstream, database, upstream.ownLogin());
    }

    /** The pool of PostgreSQL connections for one (upstream, database, database user). */
    public UpstreamPool<PgServerConnection> pool(UpstreamSettings upstream, String database, DatabaseLogin login) {
        NetClient client = clients.get(upstream.name());
        return new Slot<>(new PoolKey(upstream.name(), database, login.user(), login.readOnly(), ""), upstream, login, ctx -> client.connect(upstream.port(), upstream.host())
                .compose(socket -> PgServerConnection.start(socket, ctx, upstream, database, login))).current();
    }

    /**
     * Opens one unpooled PostgreSQL connection for a replication session on the caller's event loop: {@code startup}
     * (the client's settings and its replication parameter) goes into the server's startup packet. It is closed,
     * never pooled, when its session ends.
     */
    public Future<PgServerConnection> connectReplication(UpstreamSettings upstream, String database, DatabaseLogin login,
                                                         Map<String, String> startup) {
        Context ctx = Vertx.currentContext();
        return clients.get(upstream.name()).connect(upstream.port(), upstream.host())
                .compose(socket -> PgServerConnection.start(socket, ctx, upstream, database, login, startup));
    }

    /** The pool of MySQL/MariaDB connections for one (upstream, database, database user, client profile). */
    public UpstreamPool<MySqlServerConnection> mysqlPool(UpstreamSettings upstream, String database, DatabaseLogin login,
                                                         MySqlProfile profile) {
        NetClient client = clients.get(upstream.name());
        return new Slot<>(new PoolKey(upstream.name(), database, login.user(), login.readOnly(), profile.key()), upstream, login,
                ctx -> connectMySql(client, upstream, database, login, profile, ctx)).current();
    }

    /**
     * A client is about to drop or rename {@code database} of {@code upstream}: its pools' idle connections are
     * closed first (PostgreSQL refuses while other sessions are connected to the database; a MySQL connection
     * left in a dropped schema would start the next session there), and the pools are removed when nothing is
     * leased from them. Names compare without case, as closing a connection too many costs only a reconnect.
     * Completes once each idle connection has been told to end; never fails.
     */
    public Future<Void> releaseDatabase(String upstream, String database) {
        List<Future<Void>> closing = new ArrayList<>();
        pools.forEach((key, pool) -> {
            if (key.upstream().equals(upstream) && database.equalsIgnoreCase(key.database())) {
                removeIfUnused(key, pool, true);
                closing.add(pool.closeIdle());
            }
        });
        return Future.join(closing).transform(ar -> Future.succeededFuture());
    }

    /** Removes {@code pool} from its slot if it is unused (see {@link UpstreamPool#removeIfUnused}), with its metrics. */
    private void removeIfUnused(PoolKey key, UpstreamPool<?> pool, boolean now) {
        UpstreamSettings u = upstreams.get(key.upstream());
        if (key.database() == null || u != null && key.database().equals(u.defaultDatabase())) {
            return; // the configured database: its pool stays, min-size connections included
        }
        boolean[] removed = new boolean[1];
        // Atomic with the slot's lookups: a caller asking for the slot now gets a new pool, never this one.
        pools.computeIfPresent(key, (k, p) -> {
            if (p == pool && pool.removeIfUnused(now)) {
                removed[0] = true;
                return null;
            }
            return p;
        });
        if (removed[0]) {
            List<Meter> meters = poolMeters.remove(pool);
            if (meters != null) {
                meters.forEach(metrics::remove);
            }
            LOG.debugf("upstream %s: pool of database %s removed", key.upstream(), key.database());
            // MySQL keeps a pool per client profile: the database is unused once the last of them is gone.
            if (pools.keySet().stream().noneMatch(k -> k.upstream().equals(key.upstream()) && key.database().equals(k.database()))) {
                databaseUnused.forEach(l -> l.accept(key.upstream(), key.database()));
            }
        }
    }

    /** {@code listener} hears (upstream, database) when the last pool of a database ends: no session uses it. */
    public void onDatabaseUnused(BiConsumer<String, String> listener) {
        databaseUnused.add(listener);
    }

    /**
     * One pool's key: the MySQL client profile, or "" for PostgreSQL. {@code database} null: MySQL without a schema.
     * A read-only login's connections never serve a session of the same user that is not read-only.
     */
    private record PoolKey(String upstream, String database, String user, boolean readOnly, String profile) {
    }

    private final class Slot<C extends ServerConnection> implements PoolSlot<C> {
        private final PoolKey key;
        private final UpstreamSettings upstream;
        private final DatabaseLogin login;
        private final Function<Context, Future<C>> connector;

        Slot(PoolKey key, UpstreamSettings upstream, DatabaseLogin login, Function<Context, Future<C>> connector) {
            this.key = key;
            this.upstream = upstream;
            this.login = login;
            this.connector = connector;
        }

        @Override
        @SuppressWarnings("unchecked")
        public UpstreamPool<C> current() {
            return (UpstreamPool<C>) pools.computeIfAbsent(key, k -> new UpstreamPool<>(vertx, connector, upstream, key.database(), login, this));
        }

        @Override
        public void connected(UpstreamPool<C> pool) {
            poolMeters.computeIfAbsent(pool, p -> PoolMetrics.register(metrics, p, key.profile()));
        }

        @Override
        public void unused(UpstreamPool<C> pool) {
            removeIfUnused(key, pool, false);
        }
    }

    /**
     * Opens one unpooled MySQL connection as the upstream's own user on the given event loop (control work: KILL,
     * server probes).
     */
    public Future<MySqlServerConnection> connectMySql(UpstreamSettings upstream, String database, MySqlProfile profile, Context ctx) {
        return connectMySql(clients.get(upstream.name()), upstream, database, upstream.ownLogin(), profile, ctx);
    }

    private static Future<MySqlServerConnection> connectMySql(NetClient client, UpstreamSettings upstream, String database,
                                                              DatabaseLogin login, MySqlProfile profile, Context ctx) {
        if (Vertx.currentContext() != ctx) {
            // The server speaks first, and a socket drops what it reads before it has a handler. Asked from another
            // thread (start-up), the socket would be opened on that thread's context and get its handler only when
            // that thread comes back to it, after the loop may have read the greeting: the handshake would wait forever.
            Promise<MySqlServerConnection> opened = Promise.promise();
            ctx.runOnContext(v -> connectMySql(client, upstream, database, login, profile, ctx).onComplete(opened));
            return opened.future();
        }
        return client.connect(upstream.port(), upstream.host())
                .compose(socket -> MySqlServerConnection.start(socket, ctx, upstream, database, login, profile));
    }

    /** Every pool held, listed or not yet (its first connection still opening). */
    int poolCount() {
        return pools.size();
    }

    /** A pool's name in readiness: upstream/database, and {@code @user} for a role's database user. */
    private static String poolName(UpstreamPool<?> p) {
        return p.upstream().name() + "/" + p.database() + (p.login().role() == null ? "" : "@" + p.login().user());
    }

    public Map<String, UpstreamPool.PoolStats> poolStats() {
        Map<String, UpstreamPool.PoolStats> out = new LinkedHashMap<>();
        pools.values().stream().filter(UpstreamPool::connected)
                .forEach(p -> out.put(poolName(p), p.stats()));
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
        String prefix = "veil.upstreams." + name;
        List<DatabaseLogin> roleUsers = new ArrayList<>();
        u.roleUsers().forEach((role, r) -> roleUsers.add(new DatabaseLogin(role, r.user(),
                EndpointPassword.read(prefix + ".role-users." + role, r), r.readOnly())));
        return new UpstreamSettings(name, u.kind(), u.host(), u.port(), u.database(), u.user(),
                EndpointPassword.read(prefix, u),
                new UpstreamSettings.TlsSettings(u.tls().mode(), u.tls().caFile().orElse(null)),
                new UpstreamSettings.PoolSettings(p.minSize(), p.maxSize(), p.idleTimeout(), p.acquireTimeout(),
                        p.connectTimeout(), p.healthCheckAfterIdle(), p.maintenanceInterval(), p.idlePoolTimeout(), p.mode()),
                roleUsers, u.requireRoleUser());
    }
}
