package dev.veil.frontend;

import dev.veil.session.Session;
import dev.veil.upstream.ServerConnection;
import dev.veil.upstream.UpstreamPool;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * What a client connection of either wire holds and how it ends. It is confined to the event loop that
 * accepted it. It holds the socket, the answers held for the audit, the authentication deadline, and,
 * once logged in, its session and its leased server connection. When the client goes away, everything is
 * given back exactly once: the session leaves the registry, the statement flow records the end, and the
 * server connection returns to its pool (reset and reused between statements, closed if one is running).
 *
 * @param <S> the dialect's server connection
 */
public abstract class ClientConnection<S extends ServerConnection> {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class);

    protected final NetSocket socket;
    protected final Context context;
    protected final String clientHost;
    protected final boolean loopback;
    /** Everything for the client once logged in, held while a read's audit record is not durable yet. */
    protected final HeldOutput out;
    protected final EngineContext engineContext;
    private final WireEngine engine;
    private final long authTimer;

    protected UpstreamPool<S> pool;
    protected S server;
    protected Session session;
    protected String endReason = "client disconnected";

    protected ClientConnection(NetSocket socket, WireEngine engine, EngineContext engineContext, Duration authenticationTimeout) {
        this.socket = socket;
        this.engine = engine;
        this.engineContext = engineContext;
        this.context = Vertx.currentContext();
        this.clientHost = socket.remoteAddress() == null ? "" : socket.remoteAddress().host();
        this.loopback = LoopbackAddress.is(clientHost);
        this.out = new HeldOutput(socket, () -> server);
        // Handlers run on this event loop after the constructors have finished.
        socket.handler(this::onData);
        socket.closeHandler(v -> onClientClosed());
        socket.exceptionHandler(e -> {
            LOG.debugf("client connection error: %s", e.getMessage());
            socket.close();
        });
        this.authTimer = engineContext.vertx().setTimer(authenticationTimeout.toMillis(), id -> onAuthenticationTimeout());
    }

    protected abstract void onData(Buffer chunk);

    /** The authentication deadline passed; a connection that is logged in by then ignores it. */
    protected abstract void onAuthenticationTimeout();

    /** Logged in: the deadline no longer applies. */
    protected final void authenticated() {
        engineContext.vertx().cancelTimer(authTimer);
    }

    /** The client is gone; the dialect marks itself closed and records what it must (a login given up, say). */
    protected abstract void onClosing();

    /** The statement flow records the session's end, if the session got that far. */
    protected abstract void endFlow(String reason);

    /** Stops reading from the client (its statements wait in the socket, in order). */
    public void pauseClient() {
        socket.pause();
    }

    public void resumeClient() {
        socket.resume();
    }

    private void onClientClosed() {
        onClosing();
        authenticated();
        engine.clientGone();
        engineContext.sessions().close(session);
        endFlow(endReason);
        if (server != null) {
            S s = server;
            server = null;
            pool.release(s);
        }
    }
}
