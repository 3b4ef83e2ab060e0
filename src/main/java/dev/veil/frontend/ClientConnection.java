package dev.veil.frontend;

import dev.veil.config.Listener;
import dev.veil.identity.Identity;
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
 * accepted it. It holds the socket, the answers held for the audit, its place in the listener's limits, the
 * login deadlines, and, once logged in, its session and its leased server connection. When the client goes
 * away, everything is given back exactly once: its places in the limits, the session leaves the registry,
 * the statement flow records the end, and the server connection returns to its pool (reset and reused between
 * statements, closed if one is running).
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
    private final ClientSlot slot;
    private final long acceptedAt = System.nanoTime();
    private long deadlineTimer;
    private boolean startupReceived;
    /** Gives back the identity's place (veil.identity.session.max-per-identity) once logged in. */
    private Runnable identityPlace;

    protected UpstreamPool<S> pool;
    protected S server;
    protected Session session;
    protected String endReason = "client disconnected";

    protected ClientConnection(NetSocket socket, WireEngine engine, ClientSlot slot) {
        this.socket = socket;
        this.engine = engine;
        this.slot = slot;
        this.engineContext = engine.context();
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
        // First the time to start (TLS and the startup message or handshake response), within the time to log in.
        Listener settings = engine.settings();
        boolean startupFirst = settings.startupTimeout().compareTo(settings.authenticationTimeout()) < 0;
        this.deadlineTimer = startupFirst
                ? deadline(settings.startupTimeout(), "the client sent no login request within " + human(settings.startupTimeout())
                        + " (" + engine.properties() + ".startup-timeout)")
                : authenticationDeadline();
    }

    protected abstract void onData(Buffer chunk);

    /**
     * A login deadline passed ({@code why} names it and its property); a connection that is logged in by then
     * ignores it.
     */
    protected abstract void onAuthenticationTimeout(String why);

    /** The startup message (handshake response) arrived: the client now has the rest of the authentication timeout. */
    protected final void startupReceived() {
        if (!startupReceived) {
            startupReceived = true;
            engineContext.vertx().cancelTimer(deadlineTimer);
            deadlineTimer = authenticationDeadline();
        }
    }

    /**
     * Logged in as {@code identity}: the deadline no longer applies, the connection no longer counts as logging
     * in, and it takes one of the identity's places. Refused with 53300 / MySQL 1203 (a fatal VeilException) when
     * the identity already holds veil.identity.session.max-per-identity sessions; the dialect records that as a
     * failed login and ends the connection.
     */
    protected final void loggedIn(Identity identity) {
        authenticated();
        identityPlace = engineContext.sessions().claim(identity);
    }

    private void authenticated() {
        engineContext.vertx().cancelTimer(deadlineTimer);
        slot.loggedIn();
    }

    private long authenticationDeadline() {
        Duration timeout = engine.settings().authenticationTimeout();
        long left = Math.max(1, timeout.toMillis() - Duration.ofNanos(System.nanoTime() - acceptedAt).toMillis());
        return deadline(Duration.ofMillis(left), "the client did not log in within " + human(timeout) + " ("
                + engine.properties() + ".authentication-timeout)");
    }

    private long deadline(Duration after, String why) {
        return engineContext.vertx().setTimer(after.toMillis(), id -> onAuthenticationTimeout(why));
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
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
        slot.release();
        if (identityPlace != null) {
            identityPlace.run();
        }
        engineContext.sessions().close(session);
        endFlow(endReason);
        if (server != null) {
            S s = server;
            server = null;
            pool.release(s);
        }
    }
}
