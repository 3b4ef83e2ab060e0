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
import jakarta.inject.Singleton;
import jakarta.inject.Inject;


/** The PostgreSQL wire: its listener settings and the shared engine context; one {@link PgConnection} per client. */
@Singleton
public class PgEngine extends WireEngine {
    final VeilConfig.PgListener listener;

    private static final Protocol PROTOCOL = new Protocol("postgresql", "PostgreSQL", "sorry, too many clients already");

    @Inject
    public PgEngine(VeilConfig config, EngineContext context, GatewayStatus status) {
        super(PROTOCOL, config.pg(), context, status);
        this.listener = config.pg();
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
