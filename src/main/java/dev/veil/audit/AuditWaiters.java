package dev.veil.audit;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The callers waiting for their records to be stored, and why the writer refuses records while it does: a
 * sink failed (until a retry succeeds), or a write has not returned in time, a hung disk or database (until
 * the background round returns). Either way everyone waiting fails at once with the reason instead of
 * waiting on. Guarded by the writer's lock, which it shares; the two reasons are volatile because
 * {@link AuditWriter#recordLater} reads them without the lock.
 */
final class AuditWaiters {
    // The writer's category, so its log settings still cover what it reports through here.
    private static final Logger LOG = Logger.getLogger(AuditWriter.class);

    private record Waiter(long seq, CompletableFuture<Void> done, long since) {
    }

    private final ReentrantLock lock;
    private final AuditWriter.Observer observer;
    private final Duration retryInterval;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private volatile String failure;
    private volatile String stuck;

    AuditWaiters(ReentrantLock lock, AuditWriter.Observer observer, Duration retryInterval) {
        this.lock = lock;
        this.observer = observer;
        this.retryInterval = retryInterval;
    }

    /** Lock held: a caller now waits for the record with this seq. */
    CompletableFuture<Void> add(long seq) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiters.add(new Waiter(seq, done, System.nanoTime()));
        return done;
    }

    /** Lock held: takes out the callers whose records are stored through {@code stored}, to answer after the lock. */
    List<CompletableFuture<Void>> storedThrough(long stored) {
        List<CompletableFuture<Void>> answered = new ArrayList<>();
        while (!waiters.isEmpty() && waiters.peek().seq() <= stored) {
            answered.add(waiters.poll().done());
        }
        return answered;
    }

    static void answer(List<CompletableFuture<Void>> answered) {
        answered.forEach(done -> done.complete(null));
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    int size() {
        return waiters.size();
    }

    /** A sink failed and no retry has succeeded yet, or null. */
    String failure() {
        return failure;
    }

    /** Why a record is refused for now (the failure, else the hung write), or null; safe without the lock. */
    String refusal() {
        return failure != null ? failure : stuck;
    }

    /** Lock held: the background round returned, so a write hangs no longer. */
    void returned() {
        stuck = null;
    }

    /**
     * Lock held. Everyone waiting fails with the reason: while failing nothing is being stored. (Their
     * callbacks only post work to their own event loops, so completing them under the lock is safe.)
     */
    void fail(String reason) {
        if (failure == null) {
            LOG.errorf("audit log cannot be written: %s", reason);
        }
        failure = reason;
        observer.writeFailed(reason);
        IOException e = new IOException(reason);
        List<Waiter> failed = new ArrayList<>(waiters);
        waiters.clear();
        failed.forEach(w -> w.done().completeExceptionally(e));
    }

    /** Lock held: the retry stored everything; records are taken again. */
    void recovered() {
        LOG.infof("audit log writable again after: %s", failure);
        failure = null;
    }

    /** Waits the retry interval before the next retry; false when interrupted (the writer must stop). */
    boolean pauseBeforeRetry() {
        try {
            Thread.sleep(retryInterval.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Called periodically from outside: when the oldest waiting record has not been stored within
     * {@code timeout} (a hung disk or database), its callers fail now and the log refuses records until
     * the background round returns.
     */
    void watchdog(Duration timeout) {
        List<Waiter> late;
        lock.lock();
        try {
            Waiter oldest = waiters.peek();
            if (oldest == null || System.nanoTime() - oldest.since() < timeout.toNanos()) {
                return;
            }
            if (stuck == null) {
                LOG.errorf("a write to the audit sinks has not returned for over %d ms", timeout.toMillis());
            }
            stuck = "a write to the audit sinks has not returned for over " + timeout.toMillis() + " ms";
            late = new ArrayList<>(waiters);
            waiters.clear();
        } finally {
            lock.unlock();
        }
        IOException e = new IOException(stuck());
        late.forEach(w -> w.done().completeExceptionally(e));
    }

    private String stuck() {
        lock.lock();
        try {
            return stuck;
        } finally {
            lock.unlock();
        }
    }

    /** Null when records are being stored; otherwise why not. */
    String reason() {
        lock.lock();
        try {
            return stuck != null ? stuck : failure;
        } finally {
            lock.unlock();
        }
    }
}
