package dev.veil.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * The part of a raw server connection that does not depend on the dialect: the socket on its event loop,
 * the phase it is in, the promises of its start-up and of Veil's own commands, the session it relays to,
 * and how it ends. However the socket ends, whoever waits learns it exactly once: start-up and internal
 * commands fail, a relaying session hears {@link ResultListener#onServerLost}, the pool's hook runs.
 *
 * @param <C> the dialect's connection type (what its start-up completes with)
 * @param <R> the outcome of one of Veil's own commands on it
 */
public abstract class ServerLink<C extends ServerLink<C, R>, R> implements ServerConnection {
    /** Where the connection is in its life; each dialect adds its own detail inside {@code STARTING}. */
    protected enum Phase { STARTING, IDLE, INTERNAL, RELAY, CLOSED }

    protected final NetSocket socket;
    protected final UpstreamSettings upstream;
    protected final String database;
    /** The database user it is logged in as. */
    protected final DatabaseLogin login;
    private final Context context;

    protected Phase phase = Phase.STARTING;
    protected boolean tls;
    protected ResultListener listener;
    private final Promise<C> startup = Promise.promise();
    private Promise<R> internal;
    private long idleSinceNanos = System.nanoTime();
    private Runnable closeHook;

    protected ServerLink(NetSocket socket, Context context, UpstreamSettings upstream, String database, DatabaseLogin login) {
        this.socket = socket;
        this.context = context;
        this.upstream = upstream;
        this.database = database;
        this.login = login;
    }

    /** Installs the socket handlers; the dialect then starts its handshake. */
    protected final Future<C> started(Handler<Buffer> onData) {
        socket.handler(onData);
        // A reset usually reaches the exception handler first, but when the kernel reports it together with the
        // end of the stream, Netty may only see the close: both say the established connection ended.
        socket.closeHandler(v -> onClosed(new UpstreamException(phase == Phase.STARTING ? "server closed the connection"
                : "upstream \"" + upstream.name() + "\" closed the established connection")));
        socket.exceptionHandler(this::onError);
        return startup.future();
    }

    @SuppressWarnings("unchecked")
    protected final void ready() {
        markIdle();
        startup.tryComplete((C) this);
    }

    /** Starts one of Veil's own commands; fails when the connection is not idle. */
    protected final Future<R> beginInternal() {
        if (phase != Phase.IDLE) {
            return Future.failedFuture(new IllegalStateException("connection is " + phase));
        }
        phase = Phase.INTERNAL;
        internal = Promise.promise();
        return internal.future();
    }

    protected final void completeInternal(R result) {
        Promise<R> p = internal;
        internal = null;
        markIdle();
        p.complete(result);
    }

    private void markIdle() {
        phase = Phase.IDLE;
        idleSinceNanos = System.nanoTime();
    }

    /** Hands the connection to a session: everything the server sends from now on goes to {@code l}. */
    public void attach(ResultListener l) {
        listener = l;
        phase = Phase.RELAY;
    }

    /** Takes the connection back from its session. */
    @Override
    public void detach() {
        listener = null;
        if (phase == Phase.RELAY) {
            markIdle();
        } else {
            idleSinceNanos = System.nanoTime();
        }
    }

    /** A start-up failure fails the start-up; later, the connection ends as on any other error. */
    protected final void fail(UpstreamException e) {
        if (!startup.future().isComplete()) {
            startup.tryFail(e);
            phase = Phase.CLOSED;
            socket.close();
        } else {
            onError(e);
        }
    }

    protected final void onError(Throwable t) {
        onClosed(t instanceof UpstreamException ? t : new UpstreamException(describe(t), null, t));
        socket.close();
    }

    /** Says what happened: a connection that never started failed; an established one was reset or broke. */
    private String describe(Throwable t) {
        String detail = t.getMessage() == null ? t.toString() : t.getMessage();
        if (phase == Phase.STARTING) {
            return "connection to upstream " + upstream.name() + " failed: " + detail;
        }
        if (detail.contains("reset by peer")) {
            return "upstream \"" + upstream.name() + "\" reset the established connection (" + detail + ")";
        }
        return "the established connection to upstream \"" + upstream.name() + "\" broke: " + detail;
    }

    private void onClosed(Throwable cause) {
        Phase was = phase;
        phase = Phase.CLOSED;
        switch (was) {
            case STARTING -> startup.tryFail(cause);
            case INTERNAL -> internal.tryFail(cause);
            case RELAY -> {
                ResultListener l = listener;
                listener = null;
                if (l != null) {
                    l.onServerLost(cause);
                }
            }
            default -> { }
        }
        if (closeHook != null) {
            closeHook.run();
            closeHook = null;
        }
    }

    /** Called once when the connection ends, however it ends (the pool frees the slot). */
    @Override
    public void onClose(Runnable hook) {
        this.closeHook = hook;
    }

    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    public void drainHandler(Handler<Void> h) {
        socket.drainHandler(h);
    }

    @Override
    public void pause() {
        socket.pause();
    }

    @Override
    public void resume() {
        socket.resume();
    }

    @Override
    public Context context() {
        return context;
    }

    public UpstreamSettings upstream() {
        return upstream;
    }

    public String database() {
        return database;
    }

    public boolean tls() {
        return tls;
    }

    @Override
    public boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    @Override
    public long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }
}
