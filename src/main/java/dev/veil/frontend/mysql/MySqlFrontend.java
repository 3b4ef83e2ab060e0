package dev.veil.frontend.mysql;

import dev.veil.config.ListenerTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.Packets;
import dev.veil.identity.LocalAccounts;
import dev.veil.session.GatewayStatus;
import dev.veil.session.SessionRegistry;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.MySqlProfile;
import dev.veil.upstream.MySqlServerConnection;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every MySQL client connection needs: configuration, accounts, upstreams, live sessions, and what
 * Veil learnt of each upstream server's greeting (its version string and capabilities), which Veil
 * passes on in its own handshake so that drivers adapt to the real server behind it.
 */
@ApplicationScoped
public class MySqlFrontend {
    private static final Logger LOG = Logger.getLogger(MySqlFrontend.class);

    /** Character set Veil announces before it knows better: utf8mb4_general_ci, known to MySQL and MariaDB. */
    static final int DEFAULT_CHARSET = 45;

    final VeilConfig config;
    final VeilConfig.MySqlListener listener;
    final LocalAccounts accounts;
    final dev.veil.identity.Authenticator authenticator;
    final UpstreamRegistry upstreams;
    final SessionRegistry sessions;
    final Vertx vertx;
    final Clock clock;
    final SecureRandom random = new SecureRandom();
    final AtomicInteger clientConnections;
    final dev.veil.session.SessionAuditor auditor;
    final dev.veil.session.StatementAnalysis analysis;
    private final Map<String, HandshakeV10> greetings = new ConcurrentHashMap<>();
    volatile boolean tlsAvailable;

    public MySqlFrontend(VeilConfig config, LocalAccounts accounts, UpstreamRegistry upstreams, SessionRegistry sessions,
                         Vertx vertx, Clock clock, GatewayStatus status, dev.veil.session.SessionAuditor auditor,
                         dev.veil.session.StatementAnalysis analysis, dev.veil.identity.Authenticator authenticator) {
        this.authenticator = authenticator;
        this.auditor = auditor;
        this.analysis = analysis;
        this.clientConnections = status.clientConnections("mysql");
        this.config = config;
        this.listener = config.mysql();
        this.accounts = accounts;
        this.upstreams = upstreams;
        this.sessions = sessions;
        this.vertx = vertx;
        this.clock = clock;
    }

    public void tlsAvailable(boolean available) {
        this.tlsAvailable = available;
    }

    public boolean isTlsAvailable() {
        return tlsAvailable;
    }

    public boolean hasUpstreams() {
        return !mysqlUpstreams().isEmpty();
    }

    /**
     * Connects once to every MySQL upstream to learn its greeting (then quits politely: an abandoned
     * handshake would count against the server's max_connect_errors). Failures are logged, not fatal:
     * Veil retries when the first client arrives.
     */
    public Future<Void> probeUpstreams() {
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
        return upstreams.connectMySql(u, null, profile, vertx.getOrCreateContext()).map(c -> {
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

    /** Capabilities Veil can offer: what it relays faithfully, narrowed to what every known upstream has. */
    int offeredCapabilities() {
        int caps = Capabilities.SUPPORTED;
        for (HandshakeV10 h : greetings.values()) {
            caps &= h.capabilities() | ~Capabilities.RESPONSE_SHAPING;
        }
        if (tlsAvailable && listener.tls().mode() != ListenerTlsMode.OFF) {
            caps |= Capabilities.SSL;
        }
        return caps;
    }

    /** Takes a newly accepted socket; beyond the connection limit the client gets error 1040 at once. */
    public void accept(NetSocket socket) {
        if (clientConnections.incrementAndGet() > listener.maxClientConnections()) {
            clientConnections.decrementAndGet();
            ErrPacket err = MySqlConnection.errPacket(VeilException.fatal(ErrorCode.TOO_MANY_CONNECTIONS,
                    "Too many connections: Veil accepts at most " + listener.maxClientConnections() + " MySQL connections"));
            socket.end(Packets.frame(0, err.encode()));
            return;
        }
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
                new MySqlConnection(socket, this);
                return;
            }
            probe(u).onComplete(ar -> {
                socket.resume();
                new MySqlConnection(socket, this);
            });
            return;
        }
        new MySqlConnection(socket, this);
    }

    public int clientConnections() {
        return clientConnections.get();
    }

    /** The upstream and database for a client's schema: {@code upstream/schema}, or the default upstream. */
    Route route(String database) {
        if (database != null) {
            int slash = database.indexOf('/');
            if (slash > 0) {
                String name = database.substring(0, slash);
                UpstreamSettings u = upstreams.find(name).filter(MySqlFrontend::isMySql)
                        .orElseThrow(() -> VeilException.fatal(ErrorCode.UNKNOWN_DATABASE,
                                "Unknown database '" + database + "': no MySQL upstream named \"" + name + "\" is configured in Veil"));
                String db = database.substring(slash + 1);
                return new Route(u, db.isEmpty() ? null : db);
            }
        }
        return new Route(defaultUpstream(), database);
    }

    private UpstreamSettings defaultUpstream() {
        if (listener.defaultUpstream().isPresent()) {
            String name = listener.defaultUpstream().get();
            return upstreams.find(name).orElseThrow(() -> VeilException.fatal(ErrorCode.UNKNOWN_DATABASE,
                    "the default upstream \"" + name + "\" is not configured"));
        }
        List<UpstreamSettings> my = mysqlUpstreams();
        if (my.size() == 1) {
            return my.get(0);
        }
        throw VeilException.fatal(ErrorCode.UNKNOWN_DATABASE, my.isEmpty()
                ? "no MySQL or MariaDB upstream is configured in Veil"
                : "several MySQL upstreams are configured: connect to schema \"<upstream>/<schema>\" or set veil.mysql.default-upstream");
    }

    private List<UpstreamSettings> mysqlUpstreams() {
        return upstreams.all().stream().filter(MySqlFrontend::isMySql).toList();
    }

    static boolean isMySql(UpstreamSettings u) {
        return u.kind().equals("mysql") || u.kind().equals("mariadb");
    }

    record Route(UpstreamSettings upstream, String database) {
    }

    /** Used by KILL: the server thread behind a session, reached on a fresh control connection. */
    Future<Void> killOnUpstream(MySqlServerConnection target, boolean connection) {
        long thread = target.handshake().connectionId();
        MySqlProfile profile = new MySqlProfile(0, DEFAULT_CHARSET);
        return upstreams.connectMySql(target.upstream(), null, profile, vertx.getOrCreateContext())
                .compose(c -> c.query((connection ? "KILL CONNECTION " : "KILL QUERY ") + thread)
                        .onComplete(ar -> c.close()))
                .mapEmpty();
    }
}
