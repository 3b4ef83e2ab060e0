package dev.veil.audit;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The one thread that seals and stores audit records. Callers enqueue events (never blocking); the thread
 * takes everything queued, chains it, writes it to every sink and fsyncs once per batch (group commit),
 * then completes the callers' futures. While a batch is written the next one gathers in the queue, so
 * throughput grows with load instead of paying one fsync per statement.
 *
 * <p>When a sink fails, the batch is taken back from the sinks that stored it, its futures fail, and the
 * log is unhealthy until a retry succeeds; the chain continues from the last record every sink holds.
 */
final class AuditWriter {
    private static final Logger LOG = Logger.getLogger(AuditWriter.class);

    record Pending(AuditEvent event, CompletableFuture<Void> done) {
    }

    /** What the writer reports about each batch (for metrics). */
    interface Observer {
        void batchWritten(int records, long nanos);

        void writeFailed(String reason);
    }

    private final List<AuditSink> sinks;
    private final AuditCodec codec;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final int maxBatch;
    private final long checkpointEvery;
    private final Duration checkpointInterval;
    private final Duration retryInterval;
    private final Observer observer;
    private final Thread thread;
    /** Events nobody waits for (outcomes, session ends): no wake-up of the writer; they go with the next batch. */
    private final java.util.concurrent.ConcurrentLinkedQueue<AuditEvent> lazy = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger lazyCount = new java.util.concurrent.atomic.AtomicInteger();
    private final int queueCapacity;
    // The batch being written and when it started, for the watchdog.
    private volatile List<Pending> inFlight = List.of();
    private volatile long inFlightSince;
    private volatile String stuck;

    private volatile boolean running = true;
    private volatile String failure;
    private long seq;
    private String head = AuditCodec.GENESIS;
    private long sinceCheckpoint;
    private Long lastCheckpoint;
    private Instant lastCheckpointAt;

    AuditWriter(List<AuditSink> sinks, Clock clock, int queueCapacity, int maxBatch, long checkpointEvery,
                Duration checkpointInterval, Duration retryInterval, Observer observer) {
        this.sinks = List.copyOf(sinks);
        this.codec = new AuditCodec();
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.queueCapacity = queueCapacity;
        this.maxBatch = maxBatch;
        this.checkpointEvery = checkpointEvery;
        this.checkpointInterval = checkpointInterval;
        this.retryInterval = retryInterval;
        this.observer = observer;
        this.thread = new Thread(this::run, "veil-audit-writer");
        this.thread.setDaemon(true);
    }

    /** Opens the sinks, continues the chain they hold and writes the start checkpoint (on the caller's thread). */
    void start() throws IOException {
        Optional<AuditSink.Head> latest = Optional.empty();
        for (AuditSink s : sinks) {
            Optional<AuditSink.Head> h = s.open();
            if (h.isPresent() && (latest.isEmpty() || h.get().seq() > latest.get().seq())) {
                if (latest.isPresent()) {
                    LOG.warnf("audit sinks disagree on the last record: %s has seq %d, %s seq %d; continuing from the later",
                            s.name(), h.get().seq(), latest.get().where(), latest.get().seq());
                }
                latest = h;
            }
        }
        latest.ifPresent(h -> {
            seq = h.seq();
            head = h.hash();
        });
        lastCheckpointAt = clock.instant();
        writeBatch(List.of(checkpoint("start", null, latest.map(AuditSink.Head::where).orElse(null))), List.of());
        thread.start();
    }

    boolean offer(Pending p) {
        return running && queue.offer(p);
    }

    /** Queues an event without waking the writer; false when the writer is stopped or too far behind. */
    boolean offerLazy(AuditEvent e) {
        if (!running || lazyCount.get() >= queueCapacity) {
            return false;
        }
        lazyCount.incrementAndGet();
        lazy.add(e);
        return true;
    }

    int queueDepth() {
        return queue.size() + lazyCount.get();
    }

    /** Null when the last write worked; otherwise what went wrong. */
    String failure() {
        String s = stuck;
        return s != null ? s : failure;
    }

    /**
     * Called periodically from outside the writer: a batch taking longer than {@code timeout} (a hung disk or
     * database) fails its callers now, and the log reports itself unavailable until the write returns.
     */
    void watchdog(Duration timeout) {
        List<Pending> batch = inFlight;
        if (batch.isEmpty() || System.nanoTime() - inFlightSince < timeout.toNanos()) {
            return;
        }
        String reason = "a write to the audit sinks has not returned for over " + timeout.toMillis() + " ms";
        if (stuck == null) {
            LOG.error(reason);
        }
        stuck = reason;
        IOException e = new IOException(reason);
        batch.forEach(p -> p.done().completeExceptionally(e));
    }

    boolean alive() {
        return thread.isAlive();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty() || !lazy.isEmpty()) {
            try {
                // A short poll keeps time-based checkpoints, retries and stop prompt without traffic.
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, maxBatch - 1);
                }
                process(batch);
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException e) {
                LOG.error("audit writer: unexpected error", e);
                fail(batch, e.toString());
            }
            batch.clear();
        }
        try {
            writeBatch(List.of(checkpoint("stop", null, null)), List.of());
        } catch (IOException e) {
            LOG.warnf("audit writer: could not write the stop checkpoint: %s", e.getMessage());
        }
        sinks.forEach(AuditSink::close);
    }

    private void process(List<Pending> batch) throws InterruptedException {
        List<AuditEvent> events = new ArrayList<>(batch.size() + 1);
        for (Pending p : batch) {
            events.add(p.event());
        }
        // Events nobody waits for go after the awaited ones, unsynced: the callers' wait covers only their
        // own records, and the next synced batch makes these durable too.
        List<AuditEvent> later = new ArrayList<>();
        AuditEvent l;
        while ((l = lazy.poll()) != null) {
            lazyCount.decrementAndGet();
            later.add(l);
        }
        if (events.isEmpty()) {
            events = later;
            later = List.of();
        }
        boolean checkpointDue = sinceCheckpoint + events.size() >= checkpointEvery
                || !clock.instant().isBefore(lastCheckpointAt.plus(checkpointInterval));
        if (checkpointDue && (sinceCheckpoint > 0 || !events.isEmpty())) {
            events.add(checkpoint("periodic", null, null));
        }
        if (events.isEmpty()) {
            if (failure != null) {
                retry();
            }
            return;
        }
        try {
            inFlightSince = System.nanoTime();
            inFlight = batch;
            try {
                writeBatch(events, batch, true);
            } finally {
                inFlight = List.of();
                stuck = null;
            }
            if (!later.isEmpty()) {
                writeBatch(later, List.of(), false);
            }
            rotateIfDue();
        } catch (IOException e) {
            fail(batch, e.getMessage());
            Thread.sleep(retryInterval.toMillis());
        }
    }

    /** Writes records to every sink; on failure, takes them back from the sinks that stored them. */
    private void writeBatch(List<AuditEvent> events, List<Pending> callers) throws IOException {
        writeBatch(events, callers, true);
    }

    private void writeBatch(List<AuditEvent> events, List<Pending> callers, boolean sync) throws IOException {
        long t0 = System.nanoTime();
        long seqBefore = seq;
        String headBefore = head;
        long sinceBefore = sinceCheckpoint;
        Long checkpointBefore = lastCheckpoint;
        List<AuditLine> lines = new ArrayList<>(events.size());
        for (AuditEvent e : events) {
            AuditLine line = codec.encode(++seq, e, head);
            head = line.hash();
            lines.add(line);
            if (e instanceof AuditEvent.Checkpoint) {
                sinceCheckpoint = 0;
                lastCheckpoint = seq;
                lastCheckpointAt = e.time();
                LOG.infof("audit checkpoint seq=%d hash=%s (anchor for veil audit verify --anchor %d:%s)", seq, head, seq, head);
            } else {
                sinceCheckpoint++;
            }
        }
        int written = 0;
        try {
            for (AuditSink s : sinks) {
                s.write(lines, sync);
                written++;
            }
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i < written; i++) {
                sinks.get(i).undo(lines);
            }
            seq = seqBefore;
            head = headBefore;
            sinceCheckpoint = sinceBefore;
            lastCheckpoint = checkpointBefore;
            String where = sinks.get(written).name();
            throw new IOException(where + ": " + e.getMessage(), e);
        }
        if (failure != null) {
            LOG.infof("audit log writable again after: %s", failure);
            failure = null;
        }
        observer.batchWritten(lines.size(), System.nanoTime() - t0);
        callers.forEach(p -> p.done().complete(null));
    }

    private void rotateIfDue() throws IOException {
        for (AuditSink s : sinks) {
            if (s.rotationDue()) {
                writeBatch(List.of(checkpoint("rotate", s.nextSegmentName(), null)), List.of());
                s.rotate();
            }
        }
    }

    private void retry() throws InterruptedException {
        try {
            writeBatch(List.of(checkpoint("recovered", null, null)), List.of());
        } catch (IOException e) {
            failure = e.getMessage();
            Thread.sleep(retryInterval.toMillis());
        }
    }

    private void fail(List<Pending> batch, String reason) {
        if (failure == null) {
            LOG.errorf("audit log cannot be written: %s", reason);
        }
        failure = reason;
        observer.writeFailed(reason);
        IOException e = new IOException(reason);
        batch.forEach(p -> p.done().completeExceptionally(e));
    }

    private AuditEvent.Checkpoint checkpoint(String reason, String nextFile, String previous) {
        return new AuditEvent.Checkpoint(clock.instant(), reason, sinceCheckpoint, lastCheckpoint, nextFile, previous);
    }

    /** Stops taking events, writes what is queued and the stop checkpoint, closes the sinks. */
    void stop(Duration wait) {
        running = false;
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
