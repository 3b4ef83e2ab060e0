package dev.veil.upstream.catalog;

import dev.veil.analysis.catalog.RoutineInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The catalog of one (upstream, database): the last snapshot read and its refresh. Statements get the last
 * snapshot at once, never a refresh in flight; only while there is none yet do they get the load in flight,
 * which ends within the load timeout. A failed refresh keeps the last snapshot, marks it stale and is retried
 * with a growing delay; a slot that never loaded is retried by the next statement once that delay is over
 * (statements before it are analysed without a catalog, fail-closed).
 *
 * <p>Staleness is counted in changes: each report of a change (DDL seen, a refresh asked for) takes a
 * number, and a successful load covers the changes numbered before it started. A load that started before a
 * change cannot have seen it, so a refresh asked for while one is running runs again after it.
 */
final class CatalogSlot {
    private static final Logger LOG = Logger.getLogger(CatalogSlot.class);

    private final String upstream;
    private final String database;
    private final Vertx vertx;
    private final Supplier<Future<LoadedCatalog>> loader;
    private final Duration loadTimeout;
    private final Duration firstRetry;
    private final Duration maxRetry;

    private volatile LoadedCatalog current;
    private long loadedAt;
    private Future<LoadedCatalog> inFlight;
    /** Asked for while a load was in flight: completed when the load after it ends. */
    private List<Promise<Void>> followers = new ArrayList<>();
    private long changes;
    private long covered;
    private String problem;
    private int failures;
    private long retryAt;
    private boolean retryScheduled;
    private Consumer<LoadedCatalog> onLoaded = loaded -> { };
    /** The database's functions by oid, read on first use and again after each catalog load; null until asked for. */
    private Future<Map<Long, RoutineInfo>> routines;

    CatalogSlot(String upstream, String database, Vertx vertx, Supplier<Future<LoadedCatalog>> loader,
                Duration loadTimeout, Duration firstRetry, Duration maxRetry) {
        this.upstream = upstream;
        this.database = database;
        this.vertx = vertx;
        this.loader = loader;
        this.loadTimeout = loadTimeout;
        this.firstRetry = firstRetry;
        this.maxRetry = maxRetry;
    }

    /** The snapshot to analyse with: the last one read; without one, the first load (bounded) or a failure. */
    Future<LoadedCatalog> get() {
        LoadedCatalog c = current;
        if (c != null) {
            return Future.succeededFuture(c);
        }
        synchronized (this) {
            if (current != null) {
                return Future.succeededFuture(current);
            }
            if (inFlight != null) {
                return inFlight;
            }
            if (failures == 0 || System.nanoTime() - retryAt >= 0) {
                return start();
            }
            return Future.failedFuture(new IllegalStateException("catalog of " + upstream + "/" + database
                    + " not read yet (" + problem + "); retried later"));
        }
    }

    /**
     * The functions by oid, read with {@code reader} the first time they are asked for after a catalog load (DDL
     * and periodic refreshes read them again, with the catalog); the read ends within the load timeout. A failed
     * read is not kept: the next call tries again.
     */
    synchronized Future<Map<Long, RoutineInfo>> routines(Supplier<Future<Map<Long, RoutineInfo>>> reader) {
        if (routines == null || routines.failed()) {
            routines = bounded(reader, "functions");
        }
        return routines;
    }

    /** Called with each snapshot read, once it is the one in use (the registry then samples it for classification). */
    synchronized void onLoaded(Consumer<LoadedCatalog> hook) {
        onLoaded = hook;
    }

    /** The snapshot in use, if one was read (the catalog API lists it). */
    Optional<LoadedCatalog> current() {
        return Optional.ofNullable(current);
    }

    /**
     * Replaces the snapshot in use by the same one tagged again (classification after sampling), unless a newer
     * load has replaced {@code read} meanwhile: that one is tagged on its own.
     */
    synchronized boolean retag(LoadedCatalog read, LoadedCatalog tagged) {
        if (current != read) {
            return false;
        }
        current = tagged;
        return true;
    }

    /** The catalog changed, or is about to (DDL in a transaction still open): stale until read again. */
    synchronized void changed() {
        changes++;
    }

    /**
     * Reads the catalog again in the background. The future completes, never fails, once a load that started
     * after this call has ended, successfully or not.
     */
    Future<Void> reload() {
        synchronized (this) {
            changes++;
            if (inFlight == null) {
                return start().transform(ar -> Future.succeededFuture());
            }
            Promise<Void> follower = Promise.promise();
            followers.add(follower);
            return follower.future();
        }
    }

    /** Called with the lock held. The attempt ends within the load timeout, whatever the server does. */
    private Future<LoadedCatalog> start() {
        long startedCovering = changes;
        Future<LoadedCatalog> future = bounded(loader, "catalog");
        inFlight = future;
        future.onComplete(ar -> finished(future, startedCovering, ar.succeeded() ? ar.result() : null, ar.cause()));
        return future;
    }

    /** What {@code read} gives, or a failure once the load timeout has passed, whatever the server does. */
    private <T> Future<T> bounded(Supplier<Future<T>> read, String what) {
        Promise<T> attempt = Promise.promise();
        long timer = vertx.setTimer(loadTimeout.toMillis(), id -> attempt.tryFail(new TimeoutException(
                what + " not read within " + loadTimeout.toMillis() + " ms")));
        Future<T> started;
        try {
            started = read.get();
        } catch (RuntimeException e) {
            started = Future.failedFuture(e);
        }
        started.onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                attempt.tryComplete(ar.result());
            } else {
                attempt.tryFail(ar.cause());
            }
        });
        return attempt.future();
    }

    private void finished(Future<LoadedCatalog> attempt, long startedCovering, LoadedCatalog loaded, Throwable error) {
        List<Promise<Void>> waiting = List.of();
        Future<LoadedCatalog> next = null;
        Consumer<LoadedCatalog> hook;
        synchronized (this) {
            hook = onLoaded;
            if (inFlight == attempt) {
                inFlight = null;
            }
            if (loaded != null) {
                if (problem != null && current != null) {
                    LOG.infof("catalog of %s/%s read again after %d failed attempts", upstream, database, failures);
                }
                current = loaded;
                routines = null;
                loadedAt = System.nanoTime();
                covered = Math.max(covered, startedCovering);
                problem = null;
                failures = 0;
            } else {
                problem = error.getMessage() == null ? error.toString() : error.getMessage();
                failures++;
                retryAt = System.nanoTime() + retryDelay().toNanos();
                if (failures == 1) {
                    LOG.warnf("catalog of %s/%s could not be read (%s); %s, retrying in the background", upstream,
                            database, problem, current == null ? "statements are analysed without it (fail-closed)"
                                    : "statements are analysed with the previous snapshot");
                }
            }
            if (!followers.isEmpty()) {
                // They reported a change that may have come after this load started: one more load for them.
                waiting = followers;
                followers = new ArrayList<>();
                next = start();
            } else if (loaded == null && current != null && !retryScheduled) {
                retryScheduled = true;
                vertx.setTimer(retryDelay().toMillis(), id -> retry());
            }
        }
        for (Promise<Void> p : waiting) {
            next.onComplete(ar -> p.tryComplete());
        }
        if (loaded != null) {
            hook.accept(loaded);
        }
    }

    private void retry() {
        synchronized (this) {
            retryScheduled = false;
            if (!stale()) {
                return;
            }
        }
        reload();
    }

    private Duration retryDelay() {
        long millis = firstRetry.toMillis() << Math.min(failures - 1, 20);
        return Duration.ofMillis(Math.min(Math.max(millis, firstRetry.toMillis()), maxRetry.toMillis()));
    }

    /** Called with the lock held. */
    private boolean stale() {
        return changes > covered || problem != null;
    }

    synchronized CatalogStatus status() {
        LoadedCatalog c = current;
        return new CatalogStatus(upstream, database, c != null, stale() && (c != null || problem != null),
                c == null ? 0 : c.snapshot().version(),
                c == null ? 0 : (System.nanoTime() - loadedAt) / 1e9, problem);
    }

    /** 1 while statements are analysed with a snapshot known to be out of date, or with none after a failure. */
    double staleGauge() {
        return status().stale() ? 1 : 0;
    }

    double ageGauge() {
        return status().ageSeconds();
    }
}
