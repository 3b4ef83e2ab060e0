package dev.veil.audit;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * retries; lines not yet shipped stay queued so that a lagging sink gets the chain without a gap. Who waits
 * and why records are refused is kept by {@link AuditWaiters}, the backlog by {@link AuditSinks}.
 */
final class AuditWriter {
    private static final Logger LOG = Logger.getLogger(AuditWriter.class);

    /** What the writer reports (for metrics). */
    interface Observer {
        /** {@code nanos}: one background round (fsync and shipping) or one inline write when there is none. */
        void batchWritten(int records, long nanos);

        void writeFailed(String reason);
    }

    private final AuditSinks sinks;
    private final boolean fsync;
    private final AuditCodec codec;
    private final int capacity;
    private final int maxBatch;
    private final Observer observer;
    private final Thread thread;
    /** True when a waiting caller can be answered right after its append (write durability, files only). */
    private final boolean storedOnAppend;

    /** How long a record nobody waits for may stay appended but not stored (fsync'd, shipped). */
    static final Duration LAZY_SYNC = Duration.ofMillis(10);
    /** A few microseconds of spinning (256 pauses of tens to a hundred-odd cycles): longer than an append holds the lock. */
    private static final int APPEND_SPINS = 256;

    // Everything below is guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final AuditWaiters waiters;
    private final ConcurrentLinkedQueue<AuditCodec.Serialised> later = new ConcurrentLinkedQueue<>();
    /**
     * Checkpoints appended, logged by the background thread: the log line is an anchor for verify, and writing
     * it on the appending thread, under the lock, held the other event loops' appends behind the console.
     */
    private final AuditAnchors anchors;
    private final AtomicInteger laterCount = new AtomicInteger();
    private volatile boolean running;
    private boolean started;
    private final AuditChain chain;
    private long stored;
    /** The newest record a caller waits for; the background thread starts a round while it is not stored. */
    private long urgentThrough;
    /** When the oldest record appended but not yet stored was appended (nanoTime). */
    private long unsyncedSince;
    /** Background thread only: the seq the files were last fsync'd through in durability write. */
    private long syncedInBackground;
    /**
     * Records sealed and in the inline sinks (checkpoints included), counted under the lock and read by the
     * metrics: a Micrometer counter incremented here walked its composite's registries on every append, with the
     * lock held.
     */
    private volatile long appended;

    AuditWriter(List<AuditSink> sinks, boolean fsync, Clock clock, int capacity, int maxBatch, long checkpointEvery,
                Duration checkpointInterval, Duration retryInterval, Observer observer) {
        this(sinks, fsync, clock, capacity, maxBatch, checkpointEvery, checkpointInterval, retryInterval, observer, AuditBounds.DEFAULT);
    }

    AuditWriter(List<AuditSink> sinks, boolean fsync, Clock clock, int capacity, int maxBatch, long checkpointEvery,
                Duration checkpointInterval, Duration retryInterval, Observer observer, AuditBounds bounds) {
        this.codec = new AuditCodec(bounds);
        this.sinks = new AuditSinks(sinks, maxBatch);
        this.fsync = fsync;
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.observer = observer;
        this.waiters = new AuditWaiters(lock, observer, retryInterval);
        this.storedOnAppend = !fsync && !this.sinks.shipsInBackground();
        this.chain = new AuditChain(codec, clock, checkpointEvery, checkpointInterval);
        this.anchors = new AuditAnchors(checkpointInterval, l -> LOG.infof(
                "audit checkpoint seq=%d hash=%s (anchor for veil audit verify --anchor %d:%s)",
                l.seq(), l.hash(), l.seq(), l.hash()));
        this.thread = new Thread(this::run, "veil-audit-writer");
        this.thread.setDaemon(true);
    }

    /**
     * Opens the sinks, continues the chain they hold, gives a sink that fell behind the records it missed,
     * and stores the start checkpoint (on the caller's thread).
     */
    void start() throws IOException {
        Optional<AuditSink.Head> latest = AuditCatchUp.open(sinks.all(), codec, sinks.inline(), maxBatch);
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
        return record(codec.serialise(event));
    }

    /**
     * The event as {@link #record(AuditCodec.Serialised)} takes it: bounded, the whole statement hashed, its
     * fields as JSON. Any thread may call it (a large statement's is made on a worker, not on its event loop).
     */
    AuditCodec.Serialised serialise(AuditEvent event) {
        return codec.serialise(event);
    }

    /** As {@link #record(AuditEvent)}, for an event serialised already: the lock is taken for its place in the chain only. */
    CompletableFuture<Void> record(AuditCodec.Serialised e) {
        return record(e, true);
    }

    /**
     * {@code urgent}: the caller waits for the record to be stored, so the background thread starts a round at
     * once. Otherwise (a read whose answer does not wait for its fsync) the thread is not woken: the next round
     * stores the record within {@link #LAZY_SYNC}. Waking the thread for every read cost each statement a
     * hand-over to it and made it fsync back to back, on cores the event loops need.
     */
    CompletableFuture<Void> record(AuditCodec.Serialised e, boolean urgent) {
        lockToAppend();
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
            CompletableFuture<Void> done = waiters.add(s);
            if (urgent) {
                urgentThrough = s;
                work.signal();
            }
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
        if (!running || waiters.refusal() != null || laterCount.get() >= capacity) {
            return false;
        }
        later.add(codec.serialise(event));
        laterCount.incrementAndGet();
        return true;
    }

    /**
     * Takes the lock for an append, spinning briefly first. An append holds the lock for a few microseconds (the
     * seal and the copy into the file's pages), and the event loops append at once more often than not under load:
     * parking for that cost each contended append a futex wait, a wake-up from the other loop and a rescheduling
     * interrupt, more than the wait itself.
     */
    private void lockToAppend() {
        for (int i = 0; i < APPEND_SPINS; i++) {
            if (!lock.isLocked() && lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
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
        String refusal = waiters.refusal();
        if (refusal != null) {
            return refusal;
        }
        if (waiters.size() + sinks.backlogSize() >= capacity) {
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
        if (stored == chain.seq()) {
            unsyncedSince = t0; // the first record the next round must store
        }
        AuditChain.Mark before = chain.mark();
        List<AuditLine> lines = chain.seal(events);
        try {
            sinks.writeInline(lines);
        } catch (IOException x) {
            // A sink written before the failing one keeps the lines; they are lost with the file the failure abandons.
            chain.reset(before);
            waiters.fail(x.getMessage());
            throw x;
        }
        appended += lines.size();
        for (AuditLine l : lines) {
            sinks.keep(l);
            if ("checkpoint".equals(l.type())) {
                anchors.add(l);
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
                anchors.log(System.nanoTime(), true);
                break;
            }
            store();
            anchors.log(System.nanoTime(), false);
            syncInBackground();
            rotateIfDue();
            retryIfFailing();
        }
        sinks.close();
    }

    /**
     * Waits (lock held) until someone waits for a record to be stored, a record nobody waits for has waited
     * {@link #LAZY_SYNC}, a checkpoint is due, a retry is due, or stop.
     */
    private void awaitWork() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (running && urgentThrough <= stored && waiters.failure() == null) {
            if (stored != chain.seq()) {
                until = Math.min(until, unsyncedSince + LAZY_SYNC.toNanos());
            }
            long left = until - System.nanoTime();
            if (left <= 0 || chain.checkpointDue()) {
                return;
            }
            work.awaitNanos(left);
        }
    }

    /** Appends the time-based or the stop checkpoint (lock held). */
    private void housekeeping(boolean stopping) throws IOException {
        if (waiters.failure() != null) {
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
            if ((waiters.failure() != null && !retrying) || stored == chain.seq()) {
                return false;
            }
            target = chain.seq();
            batch = sinks.nextBatch();
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
                sinks.syncInline();
            }
            sinks.ship(batch);
        } catch (IOException e) {
            error = e.getMessage();
        }
        List<CompletableFuture<Void>> answered = List.of();
        lock.lock();
        try {
            waiters.returned();
            if (error == null) {
                sinks.shipped(batch);
                stored = Math.max(stored, target);
                if (stored < chain.seq()) {
                    unsyncedSince = System.nanoTime(); // appended while this round ran: the next round's
                }
                answered = waiters.storedThrough(stored);
            } else {
                waiters.fail(error);
            }
        } finally {
            lock.unlock();
        }
        if (error != null) {
            return false;
        }
        observer.batchWritten(Math.max(batch.size(), 1), System.nanoTime() - t0);
        AuditWaiters.answer(answered);
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
            if (fsync || waiters.failure() != null || syncedInBackground == chain.seq()) {
                return;
            }
            target = chain.seq();
        } finally {
            lock.unlock();
        }
        try {
            sinks.syncInline();
            syncedInBackground = target;
        } catch (IOException e) {
            lock.lock();
            try {
                waiters.fail(e.getMessage());
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * A file past its size or age gets a closing checkpoint and is succeeded by a new one. Everything in the
     * old file is fsync'd and answered first, so a new file that cannot be made fails no record already
     * stored (a read that ran ahead of its fsync keeps its answer).
     */
    private void rotateIfDue() {
        for (AuditSink s : sinks.all()) {
            List<CompletableFuture<Void>> answered = List.of();
            lock.lock();
            try {
                if (waiters.failure() != null || !s.rotationDue()) {
                    continue;
                }
                append(chain.checkpoint("rotate", s.nextSegmentName(), null));
                // Appends wait the moment this takes (a file per max-file-bytes or rotate-every).
                sinks.syncInline();
                sinks.shipBacklog();
                stored = chain.seq();
                answered = waiters.storedThrough(stored);
                s.rotate();
            } catch (IOException | RuntimeException e) {
                waiters.fail(s.name() + ": " + e.getMessage());
            } finally {
                lock.unlock();
            }
            AuditWaiters.answer(answered);
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
            was = waiters.failure();
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
                waiters.recovered();
            } finally {
                lock.unlock();
            }
            return;
        }
        if (!waiters.pauseBeforeRetry()) {
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
     * Called periodically from outside: fails the callers of a record not stored within {@code timeout}
     * (see {@link AuditWaiters#watchdog}).
     */
    void watchdog(Duration timeout) {
        waiters.watchdog(timeout);
    }

    /** Records sealed and in the inline sinks since the writer was made (checkpoints included). */
    long recordsAppended() {
        return appended;
    }

    /** Records waiting to be stored: callers waiting for an fsync, plus lines not yet shipped. */
    int queueDepth() {
        lock.lock();
        try {
            return Math.max(waiters.size(), sinks.backlogSize()) + laterCount.get();
        } finally {
            lock.unlock();
        }
    }

    /** Null when records are being stored; otherwise why not. */
    String failure() {
        return waiters.reason();
    }

    /** True when an appended record is already in a file (an inline sink), before any fsync. */
    boolean appendsToFiles() {
        return !sinks.inline().isEmpty();
    }

    boolean alive() {
        return thread.isAlive();
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
