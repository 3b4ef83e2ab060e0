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
 * Session pool of raw server connections for one (upstream, database, database user), whatever the dialect.
 *
 * <p>A connection never changes event loop: a session is always given a connection opened on its own loop,
 * so the client socket, the server socket and all session state stay on one thread. When the pool is full
 * and the only idle connections belong to other loops, one of them is closed and a new one opened here;
 * the size limit holds throughout. When nothing can be had, the session waits up to acquire-timeout and
 * then gets 53300.
 *
 * <p>The counters and queues are shared by all loops and guarded by this object's monitor; everything
 * done to a connection itself runs on that connection's loop.
 *
 * <p>A pool lives in a {@link PoolSlot} of the registry, which lists it (stats, metrics) from its first server
 * connection on: a client naming a database the server does not have gets the server's own error and leaves
 * nothing behind. A pool with no connection leased is removed from its slot when its first connections cannot
 * be opened, when its database is dropped, or after idle-pool-timeout without a lease; a caller still holding
 * it is served by the slot's current pool.
 */
public final class UpstreamPool<C extends ServerConnection> {
    private static final Logger LOG = Logger.getLogger(UpstreamPool.class);

    private final Vertx vertx;
    private final Function<Context, Future<C>> connector;
    private final UpstreamSettings upstream;
    private final String database;
    private final DatabaseLogin login;
    private final UpstreamSettings.PoolSettings settings;
    private final PoolSlot<C> slot;

    private final ArrayDeque<C> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter<C>> waiters = new ArrayDeque<>();
    private int total;
    private boolean closed;
    /** Removed from its slot (not shut down): callers still holding it are sent to the slot's current pool. */
    private boolean removed;
    /** The closing of the idle connections it had when it was removed. */
    private Future<Void> closing;
    /** A server connection was opened at least once: the database exists, and the pool is listed. */
    private boolean connected;
    private long lastLeaseNanos = System.nanoTime();
    // For metrics: acquisitions that had to wait for a connection, and failures (connect errors, wait timeouts).
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final long maintenanceTimer;

    /** Sessions pinned to their server connection under transaction pooling, by reason. */
    private final AtomicLong[] pins = new AtomicLong[PinReason.values().length];

    private record Waiter<C>(Context context, Promise<C> promise, long[] timer, long sinceNanos) {
    }

    /** @param connector opens, authenticates and readies one connection on the given event loop */
    UpstreamPool(Vertx vertx, Function<Context, Future<C>> connector, UpstreamSettings upstream, String database,
                 DatabaseLogin login, PoolSlot<C> slot) {
        this.vertx = vertx;
        this.connector = connector;
        this.upstream = upstream;
        this.database = database;
        this.login = login;
        this.settings = upstream.pool();
        this.slot = slot;
        for (int i = 0; i < pins.length; i++) {
            pins[i] = new AtomicLong();
        }
        this.maintenanceTimer = vertx.setPeriodic(settings.maintenanceInterval().toMillis(), id -> maintain());
    }

    /** Leases a ready, reset connection on the caller's event loop. */
    public Future<C> acquire() {
        Context ctx = Vertx.currentContext();
        if (ctx == null) {
            return Future.failedFuture(new IllegalStateException("acquire() must run on an event loop"));
        }
        Future<C> leased = lease(ctx);
        // null: the pool was removed from its slot after the caller got it; the slot's current pool serves instead.
        return leased != null ? leased : slot.current().acquire();
    }

    private Future<C> lease(Context ctx) {
        C local = null;
        C victim = null;
        boolean create = false;
        Promise<C> wait = null;
        synchronized (this) {
            if (removed) {
                return null;
            }
            if (closed) {
                return Future.failedFuture(VeilException.fatal(ErrorCode.UPSTREAM_UNAVAILABLE, "the pool is shut down"));
            }
            lastLeaseNanos = System.nanoTime();
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
                    Waiter<C> w = new Waiter<>(ctx, wait, timer, System.nanoTime());
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
                        boolean first;
                        synchronized (this) {
                            first = !connected;
                            connected = true;
                        }
                        if (first) {
                            slot.connected(this);
                        }
                        p.complete(c);
                    } else {
                        boolean empty;
                        synchronized (this) {
                            total--;
                            empty = total == 0 && waiters.isEmpty();
                        }
                        errors.incrementAndGet();
                        p.fail(ar.cause());
                        wakeWaiter();
                        if (empty) {
                            // Most often a database the server does not have: nothing of it is kept.
                            slot.unused(this);
                        }
                    }
                }));
        return p.future();
    }

    /** Returns a connection after its session: reset it, then pool it, or close it if it is not clean. */
    public void release(C c) {
        boolean leasedElsewhere;
        synchronized (this) {
            leasedElsewhere = removed;
            lastLeaseNanos = System.nanoTime();
        }
        if (leasedElsewhere) {
            // Leased through this pool after its removal, so from the slot's current pool, which cannot have been
            // removed since: it has this connection out.
            slot.current().release(c);
            return;
        }
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
                w = nextWaiterFor(c);
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

    /**
     * The waiter a returned connection goes to: the oldest on the connection's own event loop, which can use it
     * as it is (under transaction pooling connections come back many times a second, and handing one to another
     * loop means closing it and opening another); the oldest of all once it has waited a tenth of
     * acquire-timeout, so a loop with no connection of its own is not starved. Under the monitor.
     */
    private Waiter<C> nextWaiterFor(C c) {
        Waiter<C> oldest = waiters.peekFirst();
        if (oldest == null || oldest.context() == c.context()
                || System.nanoTime() - oldest.sinceNanos() > settings.acquireTimeout().toNanos() / 10) {
            return waiters.pollFirst();
        }
        for (Iterator<Waiter<C>> it = waiters.iterator(); it.hasNext(); ) {
            Waiter<C> w = it.next();
            if (w.context() == c.context()) {
                it.remove();
                return w;
            }
        }
        return waiters.pollFirst();
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
        boolean unused;
        synchronized (this) {
            unused = !closed && unusedFor(settings.idlePoolTimeout().toNanos());
        }
        if (unused) {
            slot.unused(this); // removes it, unless it serves the upstream's configured database
        }
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

    /** Nothing leased, opening or waited for, and no lease for {@code nanos}. Under the monitor. */
    private boolean unusedFor(long nanos) {
        return waiters.isEmpty() && total == idle.size() && System.nanoTime() - lastLeaseNanos >= nanos;
    }

    /**
     * Ends the pool if no connection is leased, opening or waited for, and {@code now} (its database is being
     * dropped), or it never had a connection, or idle-pool-timeout has passed since its last lease; its idle
     * connections are closed. Only its slot calls this, and forgets the pool when it returns true.
     */
    boolean removeIfUnused(boolean now) {
        synchronized (this) {
            if (closed || !unusedFor(now || !connected ? 0 : settings.idlePoolTimeout().toNanos())) {
                return false;
            }
            closed = true;
            removed = true;
            total = 0;
            closing = close(new ArrayList<>(idle), false);
            idle.clear();
        }
        vertx.cancelTimer(maintenanceTimer);
        return true;
    }

    /**
     * Closes the idle connections: their database is about to be dropped or renamed, which the server refuses
     * while sessions are connected to it. Completes once each has been told to end (Terminate, COM_QUIT).
     */
    Future<Void> closeIdle() {
        List<C> toClose;
        synchronized (this) {
            if (removed) {
                return closing;
            }
            toClose = new ArrayList<>(idle);
            idle.clear();
        }
        return close(toClose, true);
    }

    /** Closes connections on their own loops; {@code freeSlots}: their close hooks give their slots back. */
    private Future<Void> close(List<C> connections, boolean freeSlots) {
        List<Future<Void>> done = new ArrayList<>();
        for (C c : connections) {
            Promise<Void> closed = Promise.promise();
            c.context().runOnContext(v -> {
                if (freeSlots) {
                    c.close();
                } else {
                    retire(c);
                }
                closed.complete();
            });
            done.add(closed.future());
        }
        return Future.join(done).mapEmpty();
    }

    /** Whether a server connection was ever opened (the database exists): only then is the pool listed. */
    synchronized boolean connected() {
        return connected;
    }

    public synchronized PoolStats stats() {
        return new PoolStats(total, idle.size(), waiters.size());
    }

    public record PoolStats(int total, int idle, int waiting) {
        public int inUse() {
            return total - idle;
        }
    }

    /** A session under transaction pooling was pinned to its server connection for {@code reason}. */
    public void pinned(PinReason reason) {
        pins[reason.ordinal()].incrementAndGet();
    }

    public long pins(PinReason reason) {
        return pins[reason.ordinal()].get();
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

    /** The database user every connection of this pool is logged in as. */
    public DatabaseLogin login() {
        return login;
    }
}
