package dev.veil.audit;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditWriterTest {
    @TempDir
    Path tmp;

    @Test
    void oneFsyncCoversEveryRecordAppendedBeforeItBegan() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        GatedFileSink sink = new GatedFileSink(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock));
        AuditWriter w = writer(sink, true, clock);
        w.start();
        assertThat(sink.syncs.get()).as("the start checkpoint is synced before start returns").isEqualTo(1);
        sink.gate = new CountDownLatch(1);
        CompletableFuture<Void> first = w.record(AuditChainFixture.admin(clock, 0));
        sink.syncing.await(10, TimeUnit.SECONDS); // the background thread is inside the fsync for the first record
        List<CompletableFuture<Void>> rest = new ArrayList<>();
        for (int i = 1; i < 200; i++) {
            rest.add(w.record(AuditChainFixture.admin(clock, i)));
        }
        assertThat(first).isNotDone();
        assertThat(rest).noneMatch(CompletableFuture::isDone);
        sink.gate.countDown();
        first.get(10, TimeUnit.SECONDS);
        CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(sink.syncs.get()).as("start, the first record, then one fsync for the 199 appended meanwhile").isEqualTo(3);
        w.stop(Duration.ofSeconds(10));
        assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
    }

    @Test
    void theRecordsCountIsEveryLineSealedIntoTheFiles() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        AuditWriter w = writer(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), false, clock), false, clock);
        assertThat(w.recordsAppended()).isZero();
        w.start();
        record(w, clock, 5);
        for (int i = 5; i < 8; i++) {
            assertThat(w.recordLater(AuditChainFixture.admin(clock, i))).isTrue();
        }
        w.stop(Duration.ofSeconds(10));
        AuditVerifier.Result files = new AuditVerifier().verify(dir, List.of(), false);
        assertThat(files.findings()).isEmpty();
        assertThat(files.records()).as("8 records and the checkpoints").isGreaterThan(8);
        assertThat(w.recordsAppended()).isEqualTo(files.records());
    }

    @Test
    void aRecordNobodyWaitsForIsInTheFileAtOnceAndFsyncedNoSoonerThanTheLazyDelay() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        GatedFileSink sink = new GatedFileSink(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock));
        AuditWriter w = writer(sink, true, clock);
        w.start();
        int syncsBefore = sink.syncs.get();
        long appended = System.nanoTime();
        CompletableFuture<Void> lazy = w.record(w.serialise(AuditChainFixture.admin(clock, 1)), false);
        assertThat(Files.readString(FileAuditSink.files(dir).get(0))).as("written before record returns").contains("\"thing-1\"");
        lazy.get(10, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - appended).as("the background thread was not woken for it")
                .isGreaterThanOrEqualTo(AuditWriter.LAZY_SYNC.toNanos());
        assertThat(sink.syncs.get()).isEqualTo(syncsBefore + 1);
        w.stop(Duration.ofSeconds(10));
    }

    @Test
    void aRecordSomeoneWaitsForTakesTheLazyRecordsBeforeItIntoItsFsync() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        GatedFileSink sink = new GatedFileSink(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock));
        AuditWriter w = writer(sink, true, clock);
        w.start();
        sink.gate = new CountDownLatch(1); // holds the first fsync until both records are appended
        CompletableFuture<Void> lazy = w.record(w.serialise(AuditChainFixture.admin(clock, 1)), false);
        CompletableFuture<Void> urgent = w.record(AuditChainFixture.admin(clock, 2));
        sink.syncing.await(10, TimeUnit.SECONDS);
        sink.gate.countDown();
        urgent.get(10, TimeUnit.SECONDS);
        assertThat(lazy).as("stored by the same round, answered first").isCompleted();
        w.stop(Duration.ofSeconds(10));
        assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
    }

    @Test
    void withWriteDurabilityARecordIsInTheFileWhenRecordReturnsAndFsyncedInTheBackground() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        GatedFileSink sink = new GatedFileSink(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), false, clock));
        AuditWriter w = writer(sink, false, clock);
        w.start();
        CompletableFuture<Void> stored = w.record(AuditChainFixture.admin(clock, 7));
        assertThat(stored).isCompleted();
        assertThat(Files.readString(FileAuditSink.files(dir).get(0))).contains("\"thing-7\"");
        for (int i = 0; i < 250 && sink.syncs.get() == 0; i++) {
            Thread.sleep(20);
        }
        assertThat(sink.syncs.get()).as("the background round fsyncs what was written").isPositive();
        w.stop(Duration.ofSeconds(10));
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
            try {
                w.record(AuditChainFixture.admin(clock, i)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failed = e.getCause();
            }
        }
        assertThat(failed).as("a write fails once the sink needs its directory").isNotNull();
        assertThat(w.failure()).contains(dir.toString());
        assertThatThrownBy(() -> w.record(AuditChainFixture.admin(clock, 999)).get(10, TimeUnit.SECONDS))
                .hasMessageContaining(dir.toString());
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
        assertThat(FileAuditSink.files(dir).stream().map(AuditWriterTest::read)
                .anyMatch(s -> s.contains("\"reason\":\"recovered\""))).isTrue();
    }

    @Test
    void aFullDiskLeavesNoEmptyFileBehindTheRetries() throws Exception {
        // A real (in-memory) file system of 3 MiB: the disk fills up as a real one does, file names can still be
        // made, writing the zeros ahead of the records cannot.
        try (FileSystem disk = Jimfs.newFileSystem(Configuration.unix().toBuilder().setMaxSize(3L << 20).build())) {
            Path dir = disk.getPath("/audit");
            Clock clock = AuditChainFixture.ticking();
            AtomicInteger failedWrites = new AtomicInteger();
            AuditWriter.Observer counting = new AuditWriter.Observer() {
                public void batchWritten(int records, long nanos) { }

                public void writeFailed(String reason) { failedWrites.incrementAndGet(); }
            };
            AuditWriter w = new AuditWriter(List.of(new FileAuditSink(dir, 1L << 30, Duration.ofDays(1), false, clock)), false, clock,
                    1000, 64, 10_000, Duration.ofHours(1), Duration.ofMillis(10), counting);
            w.start();
            Path ballast = disk.getPath("/ballast");
            fill(ballast);
            // The records go on into the space the open file holds ahead, until it needs more.
            Map<String, String> large = new HashMap<>();
            for (int i = 0; i < 15; i++) {
                large.put("k" + i, "x".repeat(1000));
            }
            for (int i = 0; i < 10_000 && w.failure() == null; i++) {
                w.record(new AuditEvent.AdminAction(clock.instant(), "alice", "test.action", "large-" + i, large, true));
            }
            assertThat(w.failure()).as("the disk is full").contains("out of disk space");
            // Every retry tries a "recovered" checkpoint in a new file (the ticking clock gives each its own name).
            int failed = failedWrites.get();
            for (int i = 0; i < 500 && failedWrites.get() < failed + 5; i++) {
                Thread.sleep(10);
            }
            assertThat(failedWrites.get()).as("the writer retried").isGreaterThanOrEqualTo(failed + 5);
            assertThat(emptyFiles(dir)).as("no file without a record").isEmpty();

            Files.delete(ballast);
            for (int i = 0; i < 500 && w.failure() != null; i++) {
                Thread.sleep(10);
            }
            assertThat(w.failure()).isNull();
            record(w, clock, 3);
            w.stop(Duration.ofSeconds(10));
            assertThat(emptyFiles(dir)).isEmpty();
            assertThat(FileAuditSink.files(dir)).hasSize(2); // the one that filled up, the one the recovery started
            assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
        }
    }

    /** Writes into {@code file} until the disk is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(full).hasMessageContaining("out of disk space");
        }
    }

    private static List<Path> emptyFiles(Path dir) throws IOException {
        List<Path> empty = new ArrayList<>();
        for (Path f : FileAuditSink.files(dir)) {
            if (Files.size(f) == 0) {
                empty.add(f);
            }
        }
        return empty;
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
    void eventsNobodyWaitsForGoWithTheNextAwaitedRecordOrTheBackgroundRound() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        GatedFileSink sink = new GatedFileSink(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock));
        AuditWriter w = writer(sink, true, clock);
        w.start();
        Path file = FileAuditSink.files(dir).get(0);
        for (int i = 0; i < 5; i++) {
            assertThat(w.recordLater(AuditChainFixture.admin(clock, 100 + i))).isTrue();
        }
        record(w, clock, 1); // the awaited record takes the five queued before it along, in order
        String all = Files.readString(file);
        assertThat(all).contains("\"thing-100\"");
        assertThat(all.indexOf("\"thing-104\"")).isLessThan(all.indexOf("\"thing-0\""));
        int afterAwaited = sink.syncs.get();
        for (int i = 0; i < 5; i++) {
            assertThat(w.recordLater(AuditChainFixture.admin(clock, 200 + i))).isTrue();
        }
        // No awaited record follows: the background round writes and fsyncs them (it looks every 200 ms).
        for (int i = 0; i < 250 && (sink.syncs.get() == afterAwaited || !Files.readString(file).contains("\"thing-204\"")); i++) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(file)).contains("\"thing-200\"", "\"thing-204\"");
        assertThat(sink.syncs.get()).isGreaterThan(afterAwaited);
        w.stop(Duration.ofSeconds(10));
        assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
    }

    @Test
    void aLaggingSinkGetsTheWholeChainOnceItRecovers() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        ListSink table = new ListSink();
        AuditWriter w = new AuditWriter(List.of(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock), table), true,
                clock, 1000, 3, 10_000, Duration.ofHours(1), Duration.ofMillis(50), AuditChainFixture.QUIET);
        w.start();
        record(w, clock, 4);
        table.down = true;
        assertThatThrownBy(() -> w.record(AuditChainFixture.admin(clock, 50)).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("table is down");
        assertThat(w.failure()).contains("table is down");
        assertThat(w.recordLater(AuditChainFixture.admin(clock, 51))).as("refused while failing").isFalse();
        table.down = false;
        for (int i = 0; i < 200 && w.failure() != null; i++) {
            Thread.sleep(50);
        }
        assertThat(w.failure()).isNull();
        record(w, clock, 2);
        w.stop(Duration.ofSeconds(10));
        // The table holds every record the files hold, in order and without a gap (batches of at most 3).
        List<String> files = new ArrayList<>();
        for (Path f : FileAuditSink.files(dir)) {
            files.addAll(Files.readAllLines(f));
        }
        assertThat(table.lines.stream().map(AuditLine::text).toList()).isEqualTo(files);
        assertThat(files).anyMatch(l -> l.contains("\"thing-50\"")).noneMatch(l -> l.contains("\"thing-51\""));
        assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
    }

    @Test
    void aSinkLeftBehindByACrashGetsTheRecordsItMissedFromTheFilesAtTheNextStart() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        ListSink table = new ListSink();
        AuditWriter first = new AuditWriter(List.of(new FileAuditSink(dir, 2_000, Duration.ofDays(1), true, clock), table), true,
                clock, 1000, 4, 10_000, Duration.ofHours(1), Duration.ofMillis(50), AuditChainFixture.QUIET);
        first.start();
        record(first, clock, 20); // several files (2 000 bytes each), so the catch-up starts in the middle of them
        first.stop(Duration.ofSeconds(10));
        // As after a crash: the table lost its last 9 lines (they were still queued for it), the files hold them.
        List<AuditLine> kept = new ArrayList<>(table.lines.subList(0, table.lines.size() - 9));
        ListSink behind = new ListSink();
        behind.lines.addAll(kept);
        behind.head = new AuditSink.Head(kept.get(kept.size() - 1).seq(), kept.get(kept.size() - 1).hash(), "table");
        AuditWriter second = new AuditWriter(List.of(new FileAuditSink(dir, 2_000, Duration.ofDays(1), true, clock), behind), true,
                clock, 1000, 4, 10_000, Duration.ofHours(1), Duration.ofMillis(50), AuditChainFixture.QUIET);
        second.start();
        record(second, clock, 2);
        second.stop(Duration.ofSeconds(10));
        List<String> files = new ArrayList<>();
        for (Path f : FileAuditSink.files(dir)) {
            files.addAll(Files.readAllLines(f));
        }
        assertThat(FileAuditSink.files(dir).size()).isGreaterThan(3);
        assertThat(behind.lines.stream().map(AuditLine::text).toList()).as("the whole chain, without a gap").isEqualTo(files);
        AuditLine caughtUp = behind.lines.get(kept.size());
        assertThat(caughtUp.seq()).isEqualTo(kept.get(kept.size() - 1).seq() + 1);
        assertThat(caughtUp.type()).isEqualTo(table.lines.get(kept.size()).type());
        assertThat(caughtUp.identity()).isEqualTo(table.lines.get(kept.size()).identity());
    }

    @Test
    void aHungSyncFailsItsCallersAtTheWatchdogAndTheLogRefusesUntilItReturns() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        GatedFileSink sink = new GatedFileSink(new FileAuditSink(dir, 1 << 20, Duration.ofDays(1), true, clock));
        AuditWriter w = writer(sink, true, clock);
        w.start();
        sink.gate = new CountDownLatch(1);
        CompletableFuture<Void> waiting = w.record(AuditChainFixture.admin(clock, 1));
        sink.syncing.await(10, TimeUnit.SECONDS);
        w.watchdog(Duration.ZERO);
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasMessageContaining("has not returned");
        assertThat(w.failure()).contains("has not returned");
        assertThat(w.record(AuditChainFixture.admin(clock, 2))).isCompletedExceptionally();
        sink.gate.countDown();
        for (int i = 0; i < 200 && w.failure() != null; i++) {
            Thread.sleep(50);
        }
        assertThat(w.failure()).isNull();
        record(w, clock, 1);
        w.stop(Duration.ofSeconds(10));
    }

    @Test
    void aStoppedWriterTakesNoMoreEvents() throws Exception {
        Path dir = tmp.resolve("audit");
        Clock clock = AuditChainFixture.ticking();
        AuditWriter w = AuditChainFixture.writer(dir, 1 << 20, clock);
        w.stop(Duration.ofSeconds(10));
        assertThatThrownBy(() -> w.record(AuditChainFixture.admin(clock, 1)).get(1, TimeUnit.SECONDS))
                .hasMessageContaining("stopped");
        assertThat(w.recordLater(AuditChainFixture.admin(clock, 2))).isFalse();
        assertThatThrownBy(() -> FileAuditSink.files(dir.resolve("missing"))).isInstanceOf(IOException.class);
    }

    private static AuditWriter writer(AuditSink sink, boolean fsync, Clock clock) {
        return new AuditWriter(List.of(sink), fsync, clock, 1000, 64, 10_000, Duration.ofHours(1), Duration.ofMillis(50),
                AuditChainFixture.QUIET);
    }

    private static void record(AuditWriter w, Clock clock, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            w.record(AuditChainFixture.admin(clock, i)).get(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A real file sink whose fsyncs are counted and, once a gate is set, held until it opens. */
    private static final class GatedFileSink implements AuditSink {
        final FileAuditSink file;
        final AtomicInteger syncs = new AtomicInteger();
        final CountDownLatch syncing = new CountDownLatch(1);
        volatile CountDownLatch gate;

        GatedFileSink(FileAuditSink file) {
            this.file = file;
        }

        public String name() { return file.name(); }

        public Optional<Head> open() throws IOException { return file.open(); }

        public boolean inline() { return true; }

        public void write(List<AuditLine> batch) throws IOException { file.write(batch); }

        public void sync() throws IOException {
            syncs.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                syncing.countDown();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            file.sync();
        }

        public void close() { file.close(); }
    }

    /** A sink fed by the background thread (as the control-plane table is) that can be taken down. */
    private static final class ListSink implements AuditSink {
        final List<AuditLine> lines = Collections.synchronizedList(new ArrayList<>());
        volatile boolean down;
        Head head;

        public String name() { return "table"; }

        public Optional<Head> open() { return Optional.ofNullable(head); }

        public void write(List<AuditLine> batch) throws IOException {
            if (down) {
                throw new IOException("table is down");
            }
            lines.addAll(batch);
        }

        public void close() { }
    }
}
