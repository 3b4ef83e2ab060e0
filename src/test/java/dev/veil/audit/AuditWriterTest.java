package dev.veil.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditWriterTest {
    @TempDir
    Path tmp;

    @Test
    void writesEverythingQueuedAsOneBatchWithOneFsync() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger records = new AtomicInteger();
        AuditWriter w = new AuditWriter(List.of(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock)), clock,
                1000, 64, 10_000, Duration.ofHours(1), Duration.ofMillis(50), new AuditWriter.Observer() {
            public void batchWritten(int n, long nanos) {
                batches.incrementAndGet();
                records.addAndGet(n);
            }

            public void writeFailed(String reason) { }
        });
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            assertThat(w.offer(new AuditWriter.Pending(AuditChainFixture.admin(clock, i), f))).isTrue();
            done.add(f);
        }
        w.start(); // the 200 events were queued before the thread ran: they leave in batches of at most 64
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        w.stop(Duration.ofSeconds(10));
        assertThat(records.get()).isEqualTo(1 + 200 + 1); // start checkpoint, events, stop checkpoint
        assertThat(batches.get()).isEqualTo(1 + 4 + 1);
        assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
    }

    @Test
    void refusesWhileTheDirectoryIsUnusableAndContinuesTheChainAfterwards() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        AuditWriter w = AuditChainFixture.writer(dir, 2_000, clock);
        record(w, clock, 3);
        // Break the directory: a regular file where it was. The next rotation cannot create its file.
        Path aside = tmp.resolve("aside");
        Files.move(dir, aside);
        Files.writeString(dir, "not a directory");
        Throwable failed = null;
        for (int i = 0; i < 200 && failed == null; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (!w.offer(new AuditWriter.Pending(AuditChainFixture.admin(clock, i), f))) {
                break;
            }
            try {
                f.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failed = e.getCause();
            }
        }
        assertThat(failed).as("a write fails once the sink needs its directory").isNotNull();
        assertThat(w.failure()).contains(dir.toString());
        // Repair, and the writer recovers by itself (its retry writes a "recovered" checkpoint).
        Files.delete(dir);
        Files.move(aside, dir);
        for (int i = 0; i < 200 && w.failure() != null; i++) {
            Thread.sleep(50);
        }
        assertThat(w.failure()).isNull();
        record(w, clock, 3);
        w.stop(Duration.ofSeconds(10));
        AuditVerifier.Result r = new AuditVerifier().verify(dir, List.of(), false);
        assertThat(r.findings()).isEmpty();
        assertThat(Files.readString(FileAuditSink.files(dir).get(FileAuditSink.files(dir).size() - 1)))
                .contains("\"reason\":\"stop\"");
        assertThat(FileAuditSink.files(dir).stream().map(p -> {
            try {
                return Files.readString(p);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).anyMatch(s -> s.contains("\"reason\":\"recovered\""))).isTrue();
    }

    @Test
    void continuesTheChainOfAnEarlierRunInANewFile() throws Exception {
        Path dir = tmp.resolve("audit");
        AuditChainFixture.write(dir, 5, 1 << 20);
        AuditChainFixture.write(dir, 5, 1 << 20);
        assertThat(FileAuditSink.files(dir)).hasSize(2);
        AuditVerifier.Result r = new AuditVerifier().verify(dir, List.of(), false);
        assertThat(r.findings()).isEmpty();
        assertThat(Files.readString(FileAuditSink.files(dir).get(1))).contains("\"previousFile\":\"" + FileAuditSink.files(dir).get(0).getFileName());
    }

    @Test
    void eventsNobodyWaitsForAreWrittenWithTheNextBatchOrWithinAMoment() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        AuditWriter w = AuditChainFixture.writer(dir, 1 << 20, clock);
        for (int i = 0; i < 5; i++) {
            assertThat(w.offerLazy(AuditChainFixture.admin(clock, 100 + i))).isTrue();
        }
        record(w, clock, 1); // the awaited event goes first, the five unawaited ones right after it
        for (int i = 0; i < 5; i++) {
            assertThat(w.offerLazy(AuditChainFixture.admin(clock, 200 + i))).isTrue();
        }
        // No awaited event follows: the writer still writes them (it polls every 200 ms).
        for (int i = 0; i < 100 && w.queueDepth() > 0; i++) {
            Thread.sleep(20);
        }
        w.stop(Duration.ofSeconds(10));
        String all = Files.readString(FileAuditSink.files(dir).get(0));
        for (int i = 0; i < 5; i++) {
            assertThat(all).contains("\"thing-10" + i + "\"").contains("\"thing-20" + i + "\"");
        }
        assertThat(all.indexOf("\"thing-0\"")).isLessThan(all.indexOf("\"thing-100\""));
        assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
    }

    @Test
    void aStoppedWriterTakesNoMoreEvents() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        AuditWriter w = AuditChainFixture.writer(dir, 1 << 20, clock);
        w.stop(Duration.ofSeconds(10));
        assertThat(w.offer(new AuditWriter.Pending(AuditChainFixture.admin(clock, 1), new CompletableFuture<>()))).isFalse();
        assertThatThrownBy(() -> FileAuditSink.files(dir.resolve("missing"))).isInstanceOf(java.io.IOException.class);
    }

    private static void record(AuditWriter w, Clock clock, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            assertThat(w.offer(new AuditWriter.Pending(AuditChainFixture.admin(clock, i), f))).isTrue();
            f.get(10, TimeUnit.SECONDS);
        }
    }
}
