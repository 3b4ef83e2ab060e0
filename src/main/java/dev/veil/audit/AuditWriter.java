package dev.veil.audit;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Seals audit records and stores them.
 *
 * <p><b>Appending</b> happens on the caller's thread, under one short lock: the record gets its seq and the
 * hash of the record before it, and is written to the inline sinks (the files: one write into the operating
 * system's page cache, which a crash of Veil cannot take back). <b>Everything slow</b> happens on one
 * background thread: fsync of the files (group commit: one fsync covers every record appended before it
 * began), shipping to the sinks that cannot be written inline (the control-plane table, stdout), time-based
 * checkpoints, rotation and retries.
 *
 * <p>A caller that must wait (a decision, before its statement runs) gets a future that completes once its
 * record is stored as durably as configured in every sink. With durability {@code write} and only file
 * sinks that is at once, on the caller's thread. Why not a single writer thread for everything: on a
 * loaded machine every hand-over between threads waits for the scheduler, and each statement paid two of
 * them (to the writer and back); that, not the fsync, was most of the audit's cost (see bench/README.md).
 *
 * <p>When a sink fails, callers waiting for it fail, new records are refused, and the background thread
 * retries; lines not yet shipped stay queued so that a lagging sink gets the chain without a gap.
 */
final class AuditWriter {
    private static final Logger LOG = Logger.getLogger(AuditWriter.class);

    /** What the writer reports (for metrics). */
    interface Observer {
        /** One record sealed and in the inline sinks. */
        default void appended() {
        }

        /** {@code nanos}: one background round (fsync and shipping) or one inline write when there is none. */
        void batchWritten(int records, long nanos);

        void writeFailed(String reason);
    }

    private record Waiter(long seq, CompletableFuture<Void> done, long since) {
    }

    private final List<AuditSink> inline;
    private final List<AuditSink> shipped;
    private final boolean fsync;
    private final AuditCodec codec;
    private final int capacity;
    private final int maxBatch;
    private final Duration retryInterval;
    private final Observer observer;
    private final Thread thread;
    /** True when a waiting caller can be answered right after its append (write durability, files only). */
    private final boolean storedOnAppend;

    // Everything below is guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final ArrayDeque<AuditLine> backlog = new ArrayDeque<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<AuditCodec.Serialised> later = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger laterCount = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean running;
    private boolean started;
    // Volatile: read without the lock by recordLater.
    private volatile String failure;
    private volatile String stuck;
    private final AuditChain chain;
    private long stored;
    /** Background thread only: the seq the files were last fsync'd through in durability write. */
    private long syncedInBackground;

    AuditWriter(List<AuditSink> sinks, boolean fsync, Clock clock, int capacity, int maxBatch, long checkpointEvery,
                Duration checkpointInterval, Duration retryInterval, Observer observer) {
        this(sinks, fsync, clock, capacity, maxBatch, checkpointEvery, checkpointInterval, retryInterval, observer, AuditBounds.DEFAULT);
    }

    AuditWriter(List<AuditSink> sinks, boolean fsync, Clock clock, int capacity, int maxBatch, long checkpointEvery,
                Duration checkpointInterval, Duration retryInterval, Observer observer, AuditBounds bounds) {
        this.codec = new AuditCodec(bounds);
        this.inline = sinks.stream().filter(AuditSink::inline).toList();
        this.shipped = sinks.stream().filter(s -> !s.inline()).toList();
        this.fsync = fsync;
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.retryInterval = retryInterval;
        this.observer = observer;
        this.storedOnAppend = !fsync && shipped.isEmpty();
        this.chain = new AuditChain(codec, clock, checkpointEvery, checkpointInterval);
        this.thread = new Thread(this::run, "veil-audit-writer");
        this.thread.setDaemon(true);
    }

    /**
     * Opens the sinks, continues the chain they hold, gives a sink that fell behind the records it missed,
     * and stores the start checkpoint (on the caller's thread).
     */
    void start() throws IOException {
        Optional<AuditSink.Head> latest = Optional.empty();
        java.util.Map<AuditSink, AuditSink.Head> heads = new java.util.LinkedHashMap<>();
        for (AuditSink s : all()) {
            Optional<AuditSink.Head> h = s.open();
            h.ifPresent(head -> heads.put(s, head));
            if (h.isPresent() && (latest.isEmpty() || h.get().seq() > latest.get().seq())) {
                latest = h;
            }
        }
        for (var e : heads.entrySet()) {
            if (e.getValue().seq() < latest.get().seq()) {
                new AuditCatchUp(codec, inline, maxBatch).give(e.getKey(), e.getValue(), latest.get());
            }
        }
        lock.lock();
        try {
            latest.ifPresent(h -> {
                chain.continueFrom(h.seq(), h.hash());
                stored = h.seq();
            });
            append(chain.checkpoint("start", null, latest.map(AuditSink.Head::where).orElse(null)));
            running = true;
            started = true;
        } finally {
            lock.unlock();
        }
        store(); // the start checkpoint is durable before the first client is let in
        thread.start();
    }

    /**
     * Appends a record the caller waits for (with any records nobody waits for that came before it). The
     * future completes once it is stored in every sink (at once when that is already so), or fails with the
     * reason it could not be. The event is serialised before the lock is taken; only its place in the chain
     * (seq, previous hash, its own hash) and the write into the page cache happen under it.
     */
    CompletableFuture<Void> record(AuditEvent event) {
        AuditCodec.Serialised e = codec.serialise(event);
        lock.lock();
        try {
            String refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(new IOException(refusal));
            }
            List<AuditCodec.Serialised> batch = drainLater();
            batch.add(e);
            long s = append(batch);
            if (storedOnAppend) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            waiters.add(new Waiter(s, done, System.nanoTime()));
            work.signal();
            return done;
        } catch (IOException x) {
            return CompletableFuture.failedFuture(x);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a record nobody waits for (an outcome, a session end), without the lock: it goes into the files
     * with the next awaited record or the background round (within 200 ms), whichever comes first. False
     * when the log refuses records or too many are queued.
     */
    boolean recordLater(AuditEvent event) {
        if (!running || failure != null || stuck != null || laterCount.get() >= capacity) {
            return false;
        }
        later.add(codec.serialise(event));
        laterCount.incrementAndGet();
        return true;
    }

    /** Lock held: the queued records nobody waits for, in the order they came. */
    private List<AuditCodec.Serialised> drainLater() {
        List<AuditCodec.Serialised> out = new ArrayList<>();
        AuditCodec.Serialised e;
        while ((e = later.poll()) != null) {
            laterCount.decrementAndGet();
            out.add(e);
        }
        return out;
    }

    /** Why a record would be refused now, or null. */
    private String refusal() {
        if (!running) {
            return started ? "the audit log is stopped" : "the audit log is not started";
        }
        if (failure != null) {
            return failure;
        }
        if (stuck != null) {
            return stuck;
        }
        if (waiters.size() + backlog.size() >= capacity) {
            return "the audit queue is full (" + capacity + " records waiting): the sinks do not keep up";
        }
        return null;
    }

    private long append(AuditEvent event) throws IOException {
        return append(new ArrayList<>(List.of(codec.serialise(event))));
    }

    /**
     * Seals records (and the count-based checkpoints they make due) and writes them to the inline sinks in
     * one write (lock held). On failure none of them stays: the chain goes on from the record before, and
     * the log refuses records until a retry succeeds. Returns the seq of the last one.
     */
    private long append(List<AuditCodec.Serialised> events) throws IOException {
        if (events.isEmpty()) {
            return chain.seq();
        }
        long t0 = System.nanoTime();
        AuditChain.Mark before = chain.mark();
        List<AuditLine> lines = chain.seal(events);
        for (AuditSink s : inline) {
            try {
                s.write(lines);
            } catch (IOException | RuntimeException x) {
                // A sink written before this one keeps the lines; they are lost with the file the failure abandons.
                chain.reset(before);
                fail(s.name() + ": " + x.getMessage());
                throw new IOException(s.name() + ": " + x.getMessage(), x);
            }
        }
        for (AuditLine l : lines) {
            observer.appended();
            if (!shipped.isEmpty()) {
                backlog.add(l);
            }
            if ("checkpoint".equals(l.type())) {
                LOG.infof("audit checkpoint seq=%d hash=%s (anchor for veil audit verify --anchor %d:%s)",
                        l.seq(), l.hash(), l.seq(), l.hash());
            }
        }
        if (storedOnAppend) {
            stored = chain.seq();
            observer.batchWritten(lines.size(), System.nanoTime() - t0);
        }
        return chain.seq();
    }

    private void run() {
        while (true) {
            lock.lock();
            boolean last;
            try {
                awaitWork();
                last = !running;
                housekeeping(last);
            } catch (IOException e) {
                last = !running;
            } catch (InterruptedException e) {
                running = false;
                last = true;
            } finally {
                lock.unlock();
            }
            if (last) {
                while (store()) {
                    // everything appended before the stop, max-batch lines at a time
                }
                break;
            }
            store();
            syncInBackground();
            rotateIfDue();
            retryIfFailing();
        }
        all().forEach(AuditSink::close);
    }

    /** Waits (lock held) until a record waits to be stored, a checkpoint is due, a retry is due, or stop. */
    private void awaitWork() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (running && waiters.isEmpty() && stored == chain.seq() && failure == null) {
            long left = until - System.nanoTime();
            if (left <= 0 || chain.checkpointDue()) {
                return;
            }
            work.awaitNanos(left);
        }
    }

    /** Appends the time-based or the stop checkpoint (lock held). */
    private void housekeeping(boolean stopping) throws IOException {
        if (failure != null) {
            return;
        }
        append(drainLater());
        if (stopping) {
            append(chain.checkpoint("stop", null, null));
        } else if (chain.checkpointDue()) {
            append(chain.checkpoint("periodic", null, null));
        }
    }

    /**
     * One round of the background thread: fsync the files, ship up to max-batch lines to the other sinks,
     * then answer the callers whose records that covers. Runs without the lock, so appends go on meanwhile.
     */
    private boolean store() {
        return store(false);
    }

    /** {@code retrying}: the log is failing and this round is the retry that may end it. */
    private boolean store(boolean retrying) {
        long target;
        List<AuditLine> batch;
        lock.lock();
        try {
            if ((failure != null && !retrying) || stored == chain.seq()) {
                return false;
            }
            target = chain.seq();
            batch = new ArrayList<>(Math.min(backlog.size(), maxBatch));
            for (AuditLine l : backlog) {
                if (batch.size() == maxBatch) {
                    break;
                }
                batch.add(l);
            }
            if (!batch.isEmpty()) {
                target = batch.get(batch.size() - 1).seq();
            }
        } finally {
            lock.unlock();
        }
        long t0 = System.nanoTime();
        String error = null;
        try {
            if (fsync) {
                for (AuditSink s : inline) {
                    sync(s);
                }
            }
            for (AuditSink s : shipped) {
                if (!batch.isEmpty()) {
                    ship(s, batch);
                }
            }
        } catch (IOException e) {
            error = e.getMessage();
        }
        List<Waiter> answered = new ArrayList<>();
        lock.lock();
        try {
            stuck = null;
            if (error == null) {
                for (int i = 0; i < batch.size(); i++) {
                    backlog.poll();
                }
                stored = Math.max(stored, target);
                while (!waiters.isEmpty() && waiters.peek().seq() <= stored) {
                    answered.add(waiters.poll());
                }
            } else {
                fail(error);
            }
        } finally {
            lock.unlock();
        }
        if (error != null) {
            return false;
        }
        observer.batchWritten(Math.max(batch.size(), 1), System.nanoTime() - t0);
        answered.forEach(w -> w.done().complete(null));
        return true;
    }

    /**
     * Durability write: nobody waits for an fsync, but the files are still fsync'd every round (200 ms), so a
     * crash of the machine loses at most that much; a crash of Veil alone loses nothing.
     */
    private void syncInBackground() {
        long target;
        lock.lock();
        try {
            if (fsync || failure != null || syncedInBackground == chain.seq()) {
                return;
            }
            target = chain.seq();
        } finally {
            lock.unlock();
        }
        try {
            for (AuditSink s : inline) {
                sync(s);
            }
            syncedInBackground = target;
        } catch (IOException e) {
            lock.lock();
            try {
                fail(e.getMessage());
            } finally {
                lock.unlock();
            }
        }
    }

    private static void sync(AuditSink s) throws IOException {
        try {
            s.sync();
        } catch (IOException | RuntimeException e) {
            throw new IOException(s.name() + ": " + e.getMessage(), e);
        }
    }

    static void ship(AuditSink s, List<AuditLine> batch) throws IOException {
        try {
            s.write(batch);
        } catch (IOException | RuntimeException e) {
            throw new IOException(s.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A file past its size or age gets a closing checkpoint and is succeeded by a new one. Everything in the
     * old file is fsync'd and answered first, so a new file that cannot be made fails no record already
     * stored (a read that ran ahead of its fsync keeps its answer).
     */
    private void rotateIfDue() {
        for (AuditSink s : all()) {
            List<Waiter> answered = new ArrayList<>();
            lock.lock();
            try {
                if (failure != null || !s.rotationDue()) {
                    continue;
                }
                append(chain.checkpoint("rotate", s.nextSegmentName(), null));
                // Appends wait the moment this takes (a file per max-file-bytes or rotate-every).
                for (AuditSink f : inline) {
                    sync(f);
                }
                for (AuditSink b : shipped) {
                    ship(b, List.copyOf(backlog));
                }
                backlog.clear();
                stored = chain.seq();
                answered.addAll(waiters);
                waiters.clear();
                s.rotate();
            } catch (IOException | RuntimeException e) {
                fail(s.name() + ": " + e.getMessage());
            } finally {
                lock.unlock();
            }
            answered.forEach(w -> w.done().complete(null));
        }
    }

    /**
     * While failing: a "recovered" checkpoint is tried every retry interval (inline sinks start a new file for
     * it); the failure ends once it and the backlog of the shipped sinks are stored. Records stay refused
     * until then.
     */
    private void retryIfFailing() {
        String was;
        lock.lock();
        try {
            was = failure;
            if (was == null || !running) {
                return;
            }
            append(chain.checkpoint("recovered", null, null));
        } catch (IOException e) {
            was = null; // still failing (append recorded why)
        } finally {
            lock.unlock();
        }
        boolean ok = was != null;
        while (ok && behind()) {
            ok = store(true);
        }
        if (ok) {
            lock.lock();
            try {
                LOG.infof("audit log writable again after: %s", failure);
                failure = null;
            } finally {
                lock.unlock();
            }
            return;
        }
        try {
            Thread.sleep(retryInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lock.lock();
            try {
                running = false;
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean behind() {
        lock.lock();
        try {
            return stored < chain.seq();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lock held. Everyone waiting fails with the reason: while failing nothing is being stored. (Their
     * callbacks only post work to their own event loops, so completing them under the lock is safe.)
     */
    private void fail(String reason) {
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

    /** Records waiting to be stored: callers waiting for an fsync, plus lines not yet shipped. */
    int queueDepth() {
        lock.lock();
        try {
            return Math.max(waiters.size(), backlog.size()) + laterCount.get();
        } finally {
            lock.unlock();
        }
    }

    /** Null when records are being stored; otherwise why not. */
    String failure() {
        lock.lock();
        try {
            return stuck != null ? stuck : failure;
        } finally {
            lock.unlock();
        }
    }

    /** True when an appended record is already in a file (an inline sink), before any fsync. */
    boolean appendsToFiles() {
        return !inline.isEmpty();
    }

    boolean alive() {
        return thread.isAlive();
    }

    private List<AuditSink> all() {
        List<AuditSink> all = new ArrayList<>(inline);
        all.addAll(shipped);
        return all;
    }

    /** Stops taking records, stores what is appended and the stop checkpoint, closes the sinks. */
    void stop(Duration wait) {
        lock.lock();
        try {
            running = false;
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }
}
