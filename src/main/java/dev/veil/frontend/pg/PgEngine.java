package dev.veil.frontend.pg;

import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.error.VeilException;
import dev.veil.frontend.ClientSlot;
import dev.veil.frontend.EngineContext;
import dev.veil.frontend.WireEngine;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.session.GatewayStatus;
import dev.veil.upstream.UpstreamRouter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import java.util.concurrent.atomic.AtomicInteger;

/** The PostgreSQL wire: its listener settings and the shared engine context; one {@link PgConnection} per client. */
@Singleton
public class PgEngine extends WireEngine {
    final VeilConfig.PgListener listener;

    private static final Protocol PROTOCOL = new Protocol("postgresql", "PostgreSQL", "sorry, too many clients already", "veil.pg");

    /** Refused clients still negotiating, before their error: as many as may log in at once, then refused outright. */
    private final AtomicInteger refusing = new AtomicInteger();

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
    protected void open(NetSocket socket, ClientSlot slot) {
        new PgConnection(socket, this, slot);
    }

    /**
     * The error comes after the client's SSLRequest or GSSENCRequest has been answered and its StartupMessage
     * read, as from the server ({@link PgRefusal}); otherwise a client that opened with SSLRequest reads the
     * error as a broken TLS negotiation. Past as many refusals at once as clients may log in at once, the
     * error goes out at once: a flood of refused sockets costs no more than that.
     */
    @Override
    protected void refuse(NetSocket socket, VeilException refusal) {
        if (refusing.incrementAndGet() > listener.maxAuthenticatingConnections()) {
            refusing.decrementAndGet();
            super.refuse(socket, refusal);
            return;
        }
        new PgRefusal(socket, this, refusal, refusing::decrementAndGet);
    }

    /** The upstream and database for a client's database name: {@code upstream/db}, or the default upstream. */
    UpstreamRouter.Route route(String database) {
        return context.router().route(Dialect.POSTGRESQL, database, listener.defaultUpstream());
    }
}
