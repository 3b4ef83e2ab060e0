package dev.veil.frontend.pg;

import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.frontend.WireEngine;
import dev.veil.identity.LocalAccounts;
import dev.veil.session.SessionRegistry;
import dev.veil.session.StatementPipelines;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamRouter;
import dev.veil.protocol.pg.ErrorResponse;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import dev.veil.identity.Authenticator;
import dev.veil.session.GatewayStatus;
import dev.veil.session.SessionAuditor;

/** What every PostgreSQL client connection needs: configuration, accounts, upstreams, live sessions. */
@ApplicationScoped
public class PgFrontend implements WireEngine {
    final VeilConfig config;
    final VeilConfig.PgListener listener;
    final LocalAccounts accounts;
    final Authenticator authenticator;
    final UpstreamRegistry upstreams;
    final UpstreamRouter router;
    final SessionRegistry sessions;
    final Vertx vertx;
    final Clock clock;
    final SecureRandom random = new SecureRandom();
    final AtomicInteger clientConnections;
    final SessionAuditor auditor;
    final StatementPipelines pipelines;
    volatile boolean tlsAvailable;

    public PgFrontend(VeilConfig config, LocalAccounts accounts, UpstreamRegistry upstreams, UpstreamRouter router, SessionRegistry sessions,
                      Vertx vertx, Clock clock, GatewayStatus status,
                      SessionAuditor auditor, StatementPipelines pipelines,
                      Authenticator authenticator) {
        this.authenticator = authenticator;
        this.pipelines = pipelines;
        this.auditor = auditor;
        this.clientConnections = status.clientConnections("postgresql");
        this.config = config;
        this.listener = config.pg();
        this.accounts = accounts;
        this.upstreams = upstreams;
        this.router = router;
        this.sessions = sessions;
        this.vertx = vertx;
        this.clock = clock;
    }

    @Override
    public String protocol() {
        return "postgresql";
    }

    @Override
    public String displayName() {
        return "PostgreSQL";
    }

    @Override
    public void tlsAvailable(boolean available) {
        this.tlsAvailable = available;
    }

    @Override
    public boolean isTlsAvailable() {
        return tlsAvailable;
    }

    /** Takes a newly accepted socket; beyond the connection limit the client gets 53300 at once. */
    @Override
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
    UpstreamRouter.Route route(String database) {
        return router.route(Dialect.POSTGRESQL, database, listener.defaultUpstream());
    }
}
