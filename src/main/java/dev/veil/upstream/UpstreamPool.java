package dev.veil.upstream;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session pool of raw server connections for one (upstream, database), whatever the dialect.
 *
 * <p>A connection never changes event loop: a session is always given a connection opened on its own loop,
 * so the client socket, the server socket and all session state stay on one thread. When the pool is full
 * and the only idle connections belong to other loops, one of them is closed and a new one opened here;
 * the size limit holds throughout. When nothing can be had, the session waits up to acquire-timeout and
 * then gets 53300.
 *
 * <p>The counters and queues are shared by all loops and guarded by this object's monitor; everything
 * done to a connection itself runs on that connection's loop.
 */
public final class UpstreamPool<C extends ServerConnection> {
    private static final Logger LOG = Logger.getLogger(UpstreamPool.class);

    private final Vertx vertx;
    private final Function<Context, Future<C>> connector;
    private final UpstreamSettings upstream;
    private final String database;
    private final UpstreamSettings.PoolSettings settings;

    private final ArrayDeque<C> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter<C>> waiters = new ArrayDeque<>();
    private int total;
    private boolean closed;
    // For metrics: acquisitions that had to wait for a connection, and failures (connect errors, wait timeouts).
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final long maintenanceTimer;

    private record Waiter<C>(Context context, Promise<C> promise, long[] timer) {
    }

    /** @param connector opens, authenticates and readies one connection on the given event loop */
    UpstreamPool(Vertx vertx, Function<Context, Future<C>> connector, UpstreamSettings upstream, String database) {
        this.vertx = vertx;
        this.connector = connector;
        this.upstream = upstream;
        this.database = database;
        this.settings = upstream.pool();
        this.maintenanceTimer = vertx.setPeriodic(settings.maintenanceInterval().toMillis(), id -> maintain());
    }

    /** Leases a ready, reset connection on the caller's event loop. */
    public Future<C> acquire() {
        Context ctx = Vertx.currentContext();
        if (ctx == null) {
            return Future.failedFuture(new IllegalStateException("acquire() must run on an event loop"));
        }
        C local = null;
        C victim = null;
        boolean create = false;
        Promise<C> wait = null;
        synchronized (this) {
            if (closed) {
                return Future.failedFuture(VeilException.fatal(ErrorCode.UPSTREAM_UNAVAILABLE, "the pool is shut down"));
            }
            for (Iterator<C> it = idle.descendingIterator(); it.hasNext(); ) {
                C c = it.next();
                if (c.context() == ctx) {
                    it.remove();
                    local = c;
                    break;
                }
            }
            if (local == null) {
                if (total < settings.maxSize()) {
                    total++;
                    create = true;
                } else if (!idle.isEmpty()) {
                    victim = idle.pollFirst();
                    create = true; // the victim's slot passes to the new connection
                } else {
                    wait = Promise.promise();
                    waits.incrementAndGet();
                    long[] timer = new long[1];
                    Waiter<C> w = new Waiter<>(ctx, wait, timer);
                    waiters.addLast(w);
                    timer[0] = vertx.setTimer(settings.acquireTimeout().toMillis(), id -> expire(w));
                }
            }
        }
        if (victim != null) {
            retire(victim);
        }
        if (local != null) {
            return checked(local);
        }
        if (create) {
            return open(ctx);
        }
        return wait.future();
    }

    /** Health check for a connection that sat idle a long time; a dead one is dropped and another tried. */
    private Future<C> checked(C c) {
        if (c.isClosed()) {
            return acquire();
        }
        if (c.idleNanos() < settings.healthCheckAfterIdle().toNanos()) {
            return Future.succeededFuture(c);
        }
        return c.healthCheck().transform(ar -> {
            if (ar.succeeded() && ar.result()) {
                return Future.succeededFuture(c);
            }
            LOG.debugf("idle connection to %s failed its health check; replacing it", upstream.name());
            c.close();
            return acquire();
        });
    }

    private Future<C> open(Context ctx) {
        Promise<C> p = Promise.promise();
        ctx.runOnContext(v -> connector.apply(ctx)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        C c = ar.result();
                        c.onClose(() -> slotFreed(c));
                        p.complete(c);
                    } else {
                        synchronized (this) {
                            total--;
                        }
                        errors.incrementAndGet();
                        p.fail(ar.cause());
                        wakeWaiter();
                    }
                }));
        return p.future();
    }

    /** Returns a connection after its session: reset it, then pool it, or close it if it is not clean. */
    public void release(C c) {
        c.detach();
        c.reset().onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                giveBack(c);
            } else {
                LOG.debugf("upstream %s: connection not reusable after its session (%s); closing it", upstream.name(),
                        ar.succeeded() ? "reset refused" : ar.cause().getMessage());
                c.close();
            }
        });
    }

    private void giveBack(C c) {
        Waiter<C> w;
        synchronized (this) {
            if (closed) {
                w = null;
            } else {
                w = waiters.pollFirst();
                if (w == null) {
                    idle.addLast(c);
                    return;
                }
            }
        }
        if (w == null) {
            c.close();
            return;
        }
        vertx.cancelTimer(w.timer()[0]);
        if (w.context() == c.context()) {
            w.promise().complete(c);
        } else {
            retire(c);
            w.context().runOnContext(v -> open(w.context()).onComplete(w.promise()));
        }
    }

    /** Closes a connection whose slot is being handed on: its close must not free the slot. */
    private void retire(C c) {
        c.onClose(() -> { });
        c.close();
    }

    private void slotFreed(C c) {
        synchronized (this) {
            idle.remove(c);
            total--;
        }
        wakeWaiter();
    }

    private void wakeWaiter() {
        Waiter<C> w;
        synchronized (this) {
            if (closed || total >= settings.maxSize()) {
                return;
            }
            w = waiters.pollFirst();
            if (w == null) {
                return;
            }
            total++;
        }
        vertx.cancelTimer(w.timer()[0]);
        w.context().runOnContext(v -> open(w.context()).onComplete(w.promise()));
    }

    private void expire(Waiter<C> w) {
        synchronized (this) {
            if (!waiters.remove(w)) {
                return;
            }
        }
        errors.incrementAndGet();
        w.promise().tryFail(VeilException.fatal(ErrorCode.TOO_MANY_CONNECTIONS,
                "sorry, too many clients: all " + settings.maxSize() + " connections to upstream " + upstream.name()
                        + " (database " + database + ") are in use and none came free within "
                        + settings.acquireTimeout().toMillis() + " ms"));
    }

    private void maintain() {
        List<C> expired = new ArrayList<>();
        int toCreate;
        synchronized (this) {
            if (closed) {
                return;
            }
            long limit = settings.idleTimeout().toNanos();
            for (Iterator<C> it = idle.iterator(); it.hasNext() && total - expired.size() > settings.minSize(); ) {
                C c = it.next();
                if (c.idleNanos() > limit) {
                    it.remove();
                    expired.add(c);
                }
            }
            toCreate = Math.max(0, settings.minSize() - total);
            total += toCreate;
        }
        expired.forEach(C::close);
        Context ctx = vertx.getOrCreateContext();
        for (int i = 0; i < toCreate; i++) {
            open(ctx).onSuccess(this::giveBack)
                    .onFailure(e -> LOG.debugf("upstream %s: could not open a min-size connection: %s", upstream.name(), e.getMessage()));
        }
    }

    public synchronized PoolStats stats() {
        return new PoolStats(total, idle.size(), waiters.size());
    }

    public record PoolStats(int total, int idle, int waiting) {
        public int inUse() {
            return total - idle;
        }
    }

    public long waits() {
        return waits.get();
    }

    public long errors() {
        return errors.get();
    }

    void close() {
        List<C> toClose;
        List<Waiter<C>> toFail;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(idle);
            idle.clear();
            toFail = new ArrayList<>(waiters);
            waiters.clear();
        }
        vertx.cancelTimer(maintenanceTimer);
        toClose.forEach(C::close);
        toFail.forEach(w -> w.promise().tryFail(VeilException.fatal(ErrorCode.UPSTREAM_UNAVAILABLE, "Veil is shutting down")));
    }

    public UpstreamSettings upstream() {
        return upstream;
    }

    public String database() {
        return database;
    }
}
