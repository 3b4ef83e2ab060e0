package dev.veil.session;

import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLine;
import dev.veil.audit.AuditLog;
import dev.veil.audit.AuditSink;
import dev.veil.audit.FileAuditSink;
import dev.veil.identity.Identity;
import dev.veil.identity.LoginThrottle;
import dev.veil.error.VeilException;
import dev.veil.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a statement may go upstream, and when its answer may reach the client, against a real audit log
 * whose fsyncs the test holds: reads run ahead of their fsync only for front ends that hold answers.
 */
@Tag("servers")
class SessionAuditTest {
    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private AuditLog log;
    private final HeldSync sink = new HeldSync();

    @AfterEach
    void stop() {
        sink.gate.countDown();
        if (log != null) {
            log.stop();
        }
        vertx.close();
    }

    @Test
    void aReadRunsOnceAppendedAndItsAnswerWaitsForTheFsync() throws Exception {
        SessionAudit audit = start("reply", true);
        sink.hold();
        Decided read = decide(audit, "READ");
        assertThat(read.mayRun().isComplete()).as("a read goes upstream without waiting for the fsync").isTrue();
        Future<Void> durable = read.mayRun().result().durable();
        assertThat(durable.isComplete()).as("its answer waits").isFalse();
        sink.release();
        await(durable);
        assertThat(durable.succeeded()).isTrue();
    }

    @Test
    void byDefaultAReadRunsAndAnswersOnceAppendedWhileTheNextGroupCommitFsyncsIt() throws Exception {
        SessionAudit audit = start("none", true);
        sink.hold();
        Decided read = decide(audit, "READ");
        assertThat(read.mayRun().isComplete()).as("a read goes upstream without waiting for the fsync").isTrue();
        assertThat(read.mayRun().result().durable().succeeded()).as("and its answer does not wait either").isTrue();
        sink.release();
    }

    @Test
    void aWriteWaitsForTheFsyncBeforeItRunsInEveryMode() throws Exception {
        for (String mode : List.of("none", "reply", "run")) {
            SessionAudit audit = start(mode, true);
            sink.hold();
            Decided write = decide(audit, "WRITE");
            assertThat(write.mayRun().isComplete()).as(mode).isFalse();
            sink.release();
            await(write.mayRun());
            assertThat(write.mayRun().result().durable().isComplete()).isTrue();
            log.stop();
            log = null;
        }
    }

    @Test
    void readsWaitBeforeTheyRunWhenConfiguredOrWhenTheFrontEndCannotHoldAnswers() throws Exception {
        for (var c : List.of(Map.entry("run", true), Map.entry("reply", false))) {
            SessionAudit audit = start(c.getKey(), c.getValue());
            sink.hold();
            Decided read = decide(audit, "READ");
            assertThat(read.mayRun().isComplete()).as(c.toString()).isFalse();
            sink.release();
            await(read.mayRun());
            log.stop();
            log = null;
        }
    }

    @Test
    void aReadWhoseRecordCannotBeMadeDurableGetsTheAuditErrorInsteadOfItsAnswer() throws Exception {
        SessionAudit audit = start("reply", true);
        sink.hold();
        sink.failing = true;
        Decided read = decide(audit, "READ");
        Future<Void> durable = read.mayRun().result().durable();
        sink.release();
        await(durable);
        assertThat(durable.failed()).isTrue();
        assertThat(durable.cause()).isInstanceOf(VeilException.class);
        assertThat(((VeilException) durable.cause()).code().sqlState()).isEqualTo("53000");
        assertThat(durable.cause().getMessage()).contains("disk on fire");
    }

    private SessionAudit start(String readsBefore, boolean holdsAnswers) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("veil.audit.durability", "fsync");
        p.put("veil.audit.reads-durable-before", readsBefore);
        p.put("veil.audit.file.directory", tmp.resolve("audit").toString());
        var config = TestConfig.veil(p);
        Clock clock = Clock.systemUTC();
        sink.file = new FileAuditSink(tmp.resolve("audit"), 1 << 20, Duration.ofDays(1), true, clock);
        log = new AuditLog(config, clock, vertx, new SimpleMeterRegistry());
        log.start(List.of(sink));
        SessionAuditor auditor = new SessionAuditor(log, config, clock, new SimpleMeterRegistry(), null, null,
                new LoginThrottle(LoginThrottle.Limits.OFF, clock, vertx, null));
        Session session = new Session(1, new Identity("ann", List.of("analyst"), Identity.Source.LOCAL_ACCOUNT), "test",
                "127.0.0.1", false, "main", "shop", clock.instant());
        return onLoop(() -> auditor.sessionStarted(session, "postgresql", "test", holdsAnswers));
    }

    private record Decided(Future<StatementRecord> mayRun) {
    }

    private Decided decide(SessionAudit audit, String kind) throws Exception {
        var analysis = new AuditEvent.Analysis(kind, List.of("public.orders"), List.of(), "known");
        return new Decided(onLoop(() -> audit.decided("SELECT total FROM orders", null, analysis,
                AuditEvent.Decision.allowWithoutPolicy())));
    }

    /** Runs on an event loop, as front ends do, and returns what it returned. */
    private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> {
            try {
                out.complete(task.call());
            } catch (Exception e) {
                out.completeExceptionally(e);
            }
        });
        return out.get(10, TimeUnit.SECONDS);
    }

    private static void await(Future<?> f) throws Exception {
        f.toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(10, TimeUnit.SECONDS);
    }

    /** A real audit file whose fsync the test holds (and can make fail). */
    private static final class HeldSync implements AuditSink {
        FileAuditSink file;
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean failing;

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        public String name() { return "held file"; }

        public Optional<Head> open() throws IOException { return file.open(); }

        public boolean inline() { return true; }

        public void write(List<AuditLine> batch) throws IOException { file.write(batch); }

        public void sync() throws IOException {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) {
                throw new IOException("disk on fire");
            }
            file.sync();
        }

        public void close() { file.close(); }
    }
}
