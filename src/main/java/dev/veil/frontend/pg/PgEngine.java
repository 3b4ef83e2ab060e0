package dev.veil.frontend.pg;

import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.error.VeilException;
import dev.veil.frontend.EngineContext;
import dev.veil.frontend.WireEngine;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.session.GatewayStatus;
import dev.veil.upstream.UpstreamRouter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The PostgreSQL wire: its listener settings and the shared engine context; one {@link PgConnection} per client. */
@ApplicationScoped
public class PgEngine extends WireEngine {
    final VeilConfig.PgListener listener;
    final EngineContext context;
    final SecureRandom random = new SecureRandom();

    @Inject
    public PgEngine(VeilConfig config, EngineContext context, GatewayStatus status) {
        this(config.pg(), context, status.clientConnections("postgresql"));
    }

    public PgEngine(VeilConfig.PgListener listener, EngineContext context, AtomicInteger clients) {
        super(clients, listener.maxClientConnections());
        this.listener = listener;
        this.context = context;
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
    protected String tooManyClients() {
        return "sorry, too many clients already";
    }

    @Override
    protected Buffer encodeRefusal(VeilException e) {
        return ErrorResponse.of(e).encode();
    }

    @Override
    protected void open(NetSocket socket) {
        new PgConnection(socket, this);
    }

    /** The upstream and database for a client's database name: {@code upstream/db}, or the default upstream. */
    UpstreamRouter.Route route(String database) {
        return context.router().route(Dialect.POSTGRESQL, database, listener.defaultUpstream());
    }
}
