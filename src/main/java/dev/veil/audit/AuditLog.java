package dev.veil.audit;

import dev.veil.config.PgClientTls;
import dev.veil.config.VeilConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The audit trail of this Veil instance: the sinks configured under veil.audit, one writer thread, and
 * the health of both. Started by the gateway (never by the command-line tools, which only read).
 * {@link #record} hands an event to the writer and returns a future that completes once the event is
 * stored in every sink (fsync'd where durability is fsync); it never blocks the caller.
 */
@Singleton // called for every statement: no client proxy in between
public class AuditLog {
    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    private final VeilConfig.Audit config;
    private final Clock clock;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Counter failures;
    private final Counter refused;
    private final Timer writeLatency;
    private volatile AuditWriter writer;
    private Vertx sinkVertx;
    private volatile Path directory;
    private long watchdog = -1;

    public AuditLog(VeilConfig config, Clock clock, Vertx vertx, MeterRegistry metrics) {
        this.config = config.audit();
        this.clock = clock;
        this.vertx = vertx;
        this.metrics = metrics;
        FunctionCounter.builder("veil.audit.records", this, AuditLog::recordsAppended).description("Audit records sealed and written")
                .register(metrics);
        this.failures = Counter.builder("veil.audit.failures").description("Audit batches that could not be stored").register(metrics);
        this.refused = Counter.builder("veil.audit.rejected").description("Events the audit log could not take (queue full or sink failing)").register(metrics);
        this.writeLatency = Timer.builder("veil.audit.write").description("Time to store one batch in every sink (write and fsync)")
                .publishPercentileHistogram().register(metrics);
    }

    public synchronized void start() throws IOException {
        if (writer != null || !config.enabled()) {
            if (!config.enabled()) {
                LOG.warn("audit is disabled (veil.audit.enabled=false): nothing is recorded");
            }
            return;
        }
        List<AuditSink> sinks = new ArrayList<>();
        boolean fsync = config.durability() == VeilConfig.AuditDurability.FSYNC;
        if (config.file().enabled()) {
            directory = Path.of(config.file().directory()).toAbsolutePath();
            sinks.add(new FileAuditSink(directory, config.file().maxFileBytes(), config.file().rotateEvery(), fsync, clock));
        }
        if (config.postgres().enabled()) {
            sinks.add(postgresSink(config.postgres()));
        }
        if (config.stdout().enabled()) {
            sinks.add(new StdoutAuditSink(System.out));
        }
        start(sinks);
    }

    /** Starts with these sinks instead of the configured ones (an embedding application, tests). */
    public synchronized void start(List<AuditSink> sinks) throws IOException {
        if (writer != null) {
            return;
        }
        boolean fsync = config.durability() == VeilConfig.AuditDurability.FSYNC;
        AuditWriter w = new AuditWriter(sinks, fsync, clock, config.queueCapacity(), config.maxBatch(), config.checkpointEvery(),
                config.checkpointInterval(), config.retryInterval(), new AuditWriter.Observer() {
            @Override
            public void batchWritten(int n, long nanos) {
                writeLatency.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void writeFailed(String reason) {
                failures.increment();
            }
        }, new AuditBounds(config.maxStatementChars(), config.maxFieldChars()));
        w.start();
        Duration timeout = config.writeTimeout();
        watchdog = vertx.setPeriodic(Math.max(50, Math.min(1000, timeout.toMillis() / 4)), id -> w.watchdog(timeout));
        Gauge.builder("veil.audit.queue.depth", w, AuditWriter::queueDepth).description("Audit events waiting for the writer").register(metrics);
        writer = w;
        LOG.infof("audit log: %s (durability %s, fail-closed %s)", sinks.stream().map(AuditSink::name).toList(),
                config.durability().name().toLowerCase(), config.failClosed());
    }

    /**
     * Records an event. The future completes when the event is stored, or fails with the reason it could
     * not be (queue full, sink failing, audit not started).
     */
    public CompletableFuture<Void> record(AuditEvent event) {
        AuditWriter w = writer;
        if (w == null) {
            return notStarted();
        }
        return counted(w.record(event));
    }

    /**
     * An event made ready for {@link #record(AuditCodec.Serialised)} on the calling thread: bounded, the whole
     * statement text hashed, the JSON built. This is the part of recording whose cost grows with the text, so a
     * caller on an event loop makes a long statement's on a worker. Null when the log is not started.
     */
    public AuditCodec.Serialised serialise(AuditEvent event) {
        AuditWriter w = writer;
        return w == null ? null : w.serialise(event);
    }

    /** Records an event {@link #serialise}d before; only its place in the chain and the write are left to do. */
    public CompletableFuture<Void> record(AuditCodec.Serialised event) {
        AuditWriter w = writer;
        if (w == null || event == null) {
            return notStarted();
        }
        return counted(w.record(event));
    }

    /**
     * As {@link #record(AuditCodec.Serialised)}, for a record whose durability nobody waits for before going on (a
     * read under reads-durable-before=none): appended now, and fsync'd by the next group commit, which this record
     * does not hurry: within {@link AuditWriter#LAZY_SYNC} of it, or sooner along with a record someone waits for.
     * The future says how that fsync went.
     */
    public CompletableFuture<Void> recordLazily(AuditCodec.Serialised event) {
        AuditWriter w = writer;
        if (w == null || event == null) {
            return notStarted();
        }
        return counted(w.record(event, false));
    }

    /** Statement text a record keeps (veil.audit.max-statement-chars); a longer one is cut and hashed whole. */
    public int statementChars() {
        return config.maxStatementChars();
    }

    private CompletableFuture<Void> notStarted() {
        return config.enabled() ? CompletableFuture.failedFuture(new IOException("the audit log is not started"))
                : CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<Void> counted(CompletableFuture<Void> stored) {
        if (stored.isCompletedExceptionally()) {
            refused.increment();
        }
        return stored;
    }

    /**
     * Records an event nobody waits for (an outcome, a session end). It is appended at once and made
     * durable with the next fsync (at the latest within 200 ms). False when it could not be recorded.
     */
    public boolean recordLater(AuditEvent event) {
        AuditWriter w = writer;
        if (w == null) {
            return !config.enabled();
        }
        if (!w.recordLater(event)) {
            refused.increment();
            return false;
        }
        return true;
    }

    /** Null when the log is writable (or disabled); otherwise why it is not. */
    public String unavailableReason() {
        if (!config.enabled()) {
            return null;
        }
        AuditWriter w = writer;
        if (w == null) {
            return "the audit log is not started";
        }
        if (!w.alive()) {
            return "the audit writer thread has stopped";
        }
        return w.failure();
    }

    /** False only when the log was started and its writer thread has since died (a restart is needed). */
    public boolean writerAlive() {
        AuditWriter w = writer;
        return w == null || w.alive();
    }

    /** Records sealed and written so far (0 before the log starts, and with the audit off). */
    private double recordsAppended() {
        AuditWriter w = writer;
        return w == null ? 0 : w.recordsAppended();
    }

    public int queueDepth() {
        AuditWriter w = writer;
        return w == null ? 0 : w.queueDepth();
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * True when a read may go upstream once its record is appended (veil.audit.reads-durable-before=reply or
     * none): an appended record is already in a file then.
     */
    public boolean readsMayRunBeforeSync() {
        AuditWriter w = writer;
        return w != null && w.appendsToFiles() && config.durability() == VeilConfig.AuditDurability.FSYNC
                && config.readsDurableBefore() != VeilConfig.ReadBarrier.RUN;
    }

    /**
     * True when a read's answer need not wait for its record's fsync either (veil.audit.reads-durable-before=none):
     * the next group commit makes it durable.
     */
    public boolean readsAnswerBeforeSync() {
        return readsMayRunBeforeSync() && config.readsDurableBefore() == VeilConfig.ReadBarrier.NONE;
    }

    public boolean failClosed() {
        return config.failClosed();
    }

    public Duration writeTimeout() {
        return config.writeTimeout();
    }

    /** The audit file directory in use (or configured, when the log is not started). */
    public Path directory() {
        Path d = directory;
        return d != null ? d : Path.of(config.file().directory()).toAbsolutePath();
    }

    public synchronized void stop() {
        AuditWriter w = writer;
        if (w != null) {
            vertx.cancelTimer(watchdog);
            w.stop(Duration.ofSeconds(10));
            writer = null;
            if (sinkVertx != null) {
                sinkVertx.close();
                sinkVertx = null;
            }
        }
    }

    private PostgresAuditSink postgresSink(VeilConfig.AuditPostgres pg) throws IOException {
        PgConnectOptions o = new PgConnectOptions().setHost(pg.host()).setPort(pg.port()).setDatabase(pg.database())
                .setUser(pg.user());
        PgClientTls.apply(o, pg.tls().mode(), pg.tls().caFile().orElse(null));
        String password = AuditTable.password(pg);
        if (password != null) {
            o.setPassword(password);
        }
        String stream = AuditTable.ownStream(pg);
        // Its own event loop: the writer may hold its lock while it waits for the table (at a rotation), and a
        // client's loop blocked on that lock must never be the loop this insert needs.
        sinkVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        return new PostgresAuditSink(sinkVertx, o, pg.table(), stream, config.writeTimeout());
    }
}
