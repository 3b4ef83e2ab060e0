package dev.veil.frontend.mysql;

import dev.veil.analysis.Dialect;
import dev.veil.config.ListenerTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.error.VeilException;
import dev.veil.frontend.ClientSlot;
import dev.veil.frontend.EngineContext;
import dev.veil.frontend.WireEngine;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.Packets;
import dev.veil.session.GatewayStatus;
import dev.veil.upstream.MySqlProfile;
import dev.veil.upstream.MySqlServerConnection;
import dev.veil.upstream.UpstreamRouter;
import dev.veil.upstream.UpstreamSettings;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MySQL wire: its listener settings, the shared engine context, and what Veil learnt of each upstream
 * server's greeting (its version string and capabilities), which Veil passes on in its own handshake so that
 * drivers adapt to the real server behind it. One {@link MySqlConnection} per client.
 */
@Singleton
public class MySqlEngine extends WireEngine {
    private static final Logger LOG = Logger.getLogger(MySqlEngine.class);

    /** Character set Veil announces before it knows better: utf8mb4_general_ci, known to MySQL and MariaDB. */
    static final int DEFAULT_CHARSET = 45;

    final VeilConfig.MySqlListener listener;
    final SecureRandom random = new SecureRandom();
    private final Map<String, HandshakeV10> greetings = new ConcurrentHashMap<>();

    private static final Protocol PROTOCOL = new Protocol("mysql", "MySQL", "Too many connections", "veil.mysql");

    @Inject
    public MySqlEngine(VeilConfig config, EngineContext context, GatewayStatus status) {
        super(PROTOCOL, config.mysql(), context, status);
        this.listener = config.mysql();
    }

    @Override
    protected Buffer encodeRefusal(VeilException e) {
        return Packets.frame(0, MySqlConnection.errPacket(e).encode());
    }

    public boolean hasUpstreams() {
        return !mysqlUpstreams().isEmpty();
    }

    /**
     * Connects once to every MySQL upstream to learn its greeting (then quits politely: an abandoned
     * handshake would count against the server's max_connect_errors). Failures are logged, not fatal:
     * Veil retries when the first client arrives.
     */
    @Override
    public Future<Void> beforeListening() {
        List<Future<HandshakeV10>> all = mysqlUpstreams().stream().map(u -> probe(u).otherwise(e -> {
            LOG.warnf("MySQL upstream %s is not reachable yet: %s", u.name(), e.getMessage());
            return null;
        })).toList();
        return Future.join(all).mapEmpty();
    }

    Future<HandshakeV10> probe(UpstreamSettings u) {
        HandshakeV10 known = greetings.get(u.name());
        if (known != null) {
            return Future.succeededFuture(known);
        }
        MySqlProfile profile = new MySqlProfile(Capabilities.RESPONSE_SHAPING, DEFAULT_CHARSET);
        return context.upstreams().connectMySql(u, null, profile, context.vertx().getOrCreateContext()).map(c -> {
            HandshakeV10 h = c.handshake();
            c.close();
            greetings.put(u.name(), h);
            LOG.infof("MySQL upstream %s: server %s", u.name(), h.serverVersion());
            return h;
        });
    }

    /** The greeting of the upstream a new client most likely goes to (the default one), if known. */
    HandshakeV10 defaultGreeting() {
        try {
            return greetings.get(defaultUpstream().name());
        } catch (VeilException e) {
            return null;
        }
    }

    /**
     * MariaDB extended capabilities Veil can offer: the ones it relays faithfully that every known upstream
     * offers, none before any upstream is known (a MySQL server has none, and a client that negotiated one could
     * not be served).
     */
    int offeredMariaDbCapabilities() {
        int caps = greetings.isEmpty() ? 0 : Capabilities.MARIADB_SUPPORTED;
        for (HandshakeV10 h : greetings.values()) {
            caps &= h.mariaDbCapabilities();
        }
        return caps;
    }

    /**
     * Capabilities Veil can offer: what it relays faithfully, narrowed to what every known upstream has; without
     * CLIENT_MYSQL when MariaDB extended capabilities are offered ({@code mariaDb}), as a MariaDB server does.
     */
    int offeredCapabilities(int mariaDb) {
        // Compression is between the client and Veil only (CompressedWire), whatever the upstream offers.
        int caps = Capabilities.SUPPORTED | Capabilities.COMPRESS;
        for (HandshakeV10 h : greetings.values()) {
            caps &= h.capabilities() | ~Capabilities.RESPONSE_SHAPING;
        }
        if (mariaDb != 0) {
            caps &= ~Capabilities.LONG_PASSWORD;
        }
        if (isTlsAvailable() && listener.tls().mode() != ListenerTlsMode.OFF) {
            caps |= Capabilities.SSL;
        }
        return caps;
    }

    /** Opens the connection once the greeting to pass on is known. */
    @Override
    protected void open(NetSocket socket, ClientSlot slot) {
        HandshakeV10 greeting = defaultGreeting();
        if (greeting == null && hasUpstreams()) {
            // First client before any upstream answered: learn the server's greeting now (bounded by the
            // connect timeout), so the client sees the real server version.
            socket.pause();
            UpstreamSettings u;
            try {
                u = defaultUpstream();
            } catch (VeilException e) {
                socket.resume();
                new MySqlConnection(socket, this, slot);
                return;
            }
            probe(u).onComplete(ar -> {
                socket.resume();
                new MySqlConnection(socket, this, slot);
            });
            return;
        }
        new MySqlConnection(socket, this, slot);
    }

    /** The upstream and database for a client's schema: {@code upstream/schema}, or the default upstream. */
    UpstreamRouter.Route route(String database) {
        return context.router().route(Dialect.MYSQL, database, listener.defaultUpstream());
    }

    private UpstreamSettings defaultUpstream() {
        return context.router().defaultUpstream(Dialect.MYSQL, listener.defaultUpstream());
    }

    private List<UpstreamSettings> mysqlUpstreams() {
        return context.router().of(Dialect.MYSQL);
    }

    /** Used by KILL: the server thread behind a session, reached on a fresh control connection. */
    Future<Void> killOnUpstream(MySqlServerConnection target, boolean connection) {
        long thread = target.handshake().connectionId();
        MySqlProfile profile = new MySqlProfile(0, DEFAULT_CHARSET);
        return context.upstreams().connectMySql(target.upstream(), null, profile, context.vertx().getOrCreateContext())
                .compose(c -> c.query((connection ? "KILL CONNECTION " : "KILL QUERY ") + thread)
                        .onComplete(ar -> c.close()))
                .mapEmpty();
    }
}
