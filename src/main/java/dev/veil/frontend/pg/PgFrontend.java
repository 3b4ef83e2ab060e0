package dev.veil.frontend.pg;

import dev.veil.config.VeilConfig;
import dev.veil.identity.LocalAccounts;
import dev.veil.session.SessionRegistry;
import dev.veil.session.StatementPipelines;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import dev.veil.protocol.pg.ErrorResponse;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/** What every PostgreSQL client connection needs: configuration, accounts, upstreams, live sessions. */
@ApplicationScoped
public class PgFrontend {
    final VeilConfig config;
    final VeilConfig.PgListener listener;
    final LocalAccounts accounts;
    final dev.veil.identity.Authenticator authenticator;
    final UpstreamRegistry upstreams;
    final SessionRegistry sessions;
    final Vertx vertx;
    final Clock clock;
    final SecureRandom random = new SecureRandom();
    final AtomicInteger clientConnections;
    final dev.veil.session.SessionAuditor auditor;
    final StatementPipelines pipelines;
    volatile boolean tlsAvailable;

    public PgFrontend(VeilConfig config, LocalAccounts accounts, UpstreamRegistry upstreams, SessionRegistry sessions,
                      Vertx vertx, Clock clock, dev.veil.session.GatewayStatus status,
                      dev.veil.session.SessionAuditor auditor, StatementPipelines pipelines,
                      dev.veil.identity.Authenticator authenticator) {
        this.authenticator = authenticator;
        this.pipelines = pipelines;
        this.auditor = auditor;
        this.clientConnections = status.clientConnections("postgresql");
        this.config = config;
        this.listener = config.pg();
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

    /** Takes a newly accepted socket; beyond the connection limit the client gets 53300 at once. */
    public void accept(NetSocket socket) {
        if (clientConnections.incrementAndGet() > listener.maxClientConnections()) {
            clientConnections.decrementAndGet();
            socket.end(ErrorResponse.of(VeilException.fatal(ErrorCode.TOO_MANY_CONNECTIONS,
                    "sorry, too many clients already: Veil accepts at most " + listener.maxClientConnections()
                            + " PostgreSQL connections")).encode());
            return;
        }
        new PgConnection(socket, this);
    }

    public int clientConnections() {
        return clientConnections.get();
    }

    /** The upstream and database for a client's database name: {@code upstream/db}, or the default upstream. */
    Route route(String database) {
        int slash = database.indexOf('/');
        if (slash > 0) {
            String name = database.substring(0, slash);
            UpstreamSettings u = upstreams.find(name).filter(s -> s.kind().equals("postgresql"))
                    .orElseThrow(() -> VeilException.fatal(ErrorCode.UNKNOWN_DATABASE,
                            "no PostgreSQL upstream named \"" + name + "\" is configured in Veil"));
            String db = database.substring(slash + 1);
            return new Route(u, db.isEmpty() ? u.defaultDatabase() : db);
        }
        UpstreamSettings u = defaultUpstream();
        return new Route(u, database);
    }

    private UpstreamSettings defaultUpstream() {
        if (listener.defaultUpstream().isPresent()) {
            String name = listener.defaultUpstream().get();
            return upstreams.find(name).orElseThrow(() -> VeilException.fatal(ErrorCode.UNKNOWN_DATABASE,
                    "the default upstream \"" + name + "\" is not configured"));
        }
        var pg = upstreams.all().stream().filter(u -> u.kind().equals("postgresql")).toList();
        if (pg.size() == 1) {
            return pg.get(0);
        }
        throw VeilException.fatal(ErrorCode.UNKNOWN_DATABASE, pg.isEmpty()
                ? "no PostgreSQL upstream is configured in Veil"
                : "several PostgreSQL upstreams are configured: connect to database \"<upstream>/<database>\" or set veil.pg.default-upstream");
    }

    record Route(UpstreamSettings upstream, String database) {
    }
}
