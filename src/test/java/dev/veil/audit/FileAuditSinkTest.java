package dev.veil.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FileAuditSinkTest {
    @TempDir
    Path tmp;

    private final AuditCodec codec = new AuditCodec();

    private FileAuditSink sink(Clock clock) {
        return new FileAuditSink(tmp, 1 << 20, Duration.ofDays(1), true, clock);
    }

    private List<AuditLine> chain(long from, int n, String prev, Clock clock) {
        List<AuditLine> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AuditLine l = codec.encode(from + i, AuditChainFixture.admin(clock, i), prev);
            lines.add(l);
            prev = l.hash();
        }
        return lines;
    }

    @Test
    void aClosedFileHoldsExactlyItsRecords() throws Exception {
        Clock clock = AuditChainFixture.ticking();
        FileAuditSink sink = sink(clock);
        sink.open();
        List<AuditLine> lines = chain(1, 3, AuditCodec.GENESIS, clock);
        sink.write(lines);
        Path file = sink.currentFile();
        assertThat(Files.size(file)).as("zero-filled ahead while open").isGreaterThanOrEqualTo(FileAuditSink.PREALLOCATE);
        sink.close();
        StringBuilder expected = new StringBuilder();
        lines.forEach(l -> expected.append(l.text()).append('\n'));
        assertThat(Files.readString(file)).isEqualTo(expected.toString());
    }

    @Test
    void theZeroTailACrashLeavesVerifiesAndIsCutAtTheNextStart() throws Exception {
        Clock clock = AuditChainFixture.ticking();
        FileAuditSink crashed = sink(clock);
        crashed.open();
        List<AuditLine> lines = chain(1, 5, AuditCodec.GENESIS, clock);
        crashed.write(lines);
        crashed.sync(); // and never closed: as after kill -9
        Path file = crashed.currentFile();
        assertThat(Files.readAllBytes(file)[(int) Files.size(file) - 1]).isZero();
        AuditVerifier.Result r = new AuditVerifier().verify(tmp, List.of(), false);
        assertThat(r.findings()).as("preallocated zeros are not a torn record").isEmpty();
        assertThat(r.lastSeq()).isEqualTo(5);
        assertThat(new AuditSearch(tmp).find(AuditQuery.all())).hasSize(5);

        FileAuditSink next = sink(clock);
        AuditSink.Head head = next.open().orElseThrow();
        assertThat(head.seq()).isEqualTo(5);
        assertThat(head.hash()).isEqualTo(lines.get(4).hash());
        assertThat(Files.readString(file)).endsWith(lines.get(4).text() + "\n");
        next.close();
    }

    @Test
    void aRecordTornByACrashInsideTheZerosStillShowsAsTorn() throws Exception {
        Clock clock = AuditChainFixture.ticking();
        FileAuditSink crashed = sink(clock);
        crashed.open();
        List<AuditLine> lines = chain(1, 2, AuditCodec.GENESIS, clock);
        crashed.write(lines.subList(0, 1));
        Path file = crashed.currentFile();
        // Half of the second record reached the disk, the rest of the space is still zeros.
        String half = lines.get(1).text().substring(0, 40);
        try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(half.getBytes(StandardCharsets.UTF_8)),
                    lines.get(0).text().length() + 1);
        }
        AuditVerifier.Result r = new AuditVerifier().verify(tmp, List.of(), false);
        assertThat(r.findings()).hasSize(1);
        assertThat(r.findings().get(0).toString()).contains("torn");
    }
    @ParameterizedTest(name = "records mapped: {0}")
    @ValueSource(booleans = {true, false})
    void recordsAcrossManyPreallocationsAndOneLargerThanAPreallocationReadBackInOrder(boolean mapped) throws Exception {
        Clock clock = AuditChainFixture.ticking();
        FileAuditSink sink = new FileAuditSink(tmp, 64L << 20, Duration.ofDays(1), true, clock, mapped);
        sink.open();
        List<AuditLine> written = new ArrayList<>();
        String prev = AuditCodec.GENESIS;
        long seq = 1;
        // About 3.5 preallocations of small records, then one record larger than a preallocation, then small ones
        // again: mapped, each batch that outgrows the mapped space maps the space anew; or else written.
        for (int batch = 0; batch < 3; batch++) {
            List<AuditLine> lines = chain(seq, 6000, prev, clock);
            sink.write(lines);
            written.addAll(lines);
            seq += lines.size();
            prev = lines.get(lines.size() - 1).hash();
        }
        String big = "x".repeat(FileAuditSink.PREALLOCATE + 1000);
        AuditCodec unbounded = new AuditCodec(new AuditBounds(4 << 20, 4 << 20));
        AuditLine large = unbounded.encode(seq++, new AuditEvent.AdminAction(clock.instant(), "alice", "test.action", big, Map.of(), true), prev);
        assertThat(large.text().length()).isGreaterThan(FileAuditSink.PREALLOCATE);
        sink.write(List.of(large));
        written.add(large);
        List<AuditLine> tail = chain(seq, 2000, large.hash(), clock);
        sink.write(tail);
        written.addAll(tail);
        sink.sync();

        Path file = sink.currentFile();
        List<String> beforeClose = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(beforeClose.subList(0, written.size())).as("readers see the records before close")
                .containsExactlyElementsOf(written.stream().map(AuditLine::text).toList());
        sink.close();
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
                .containsExactlyElementsOf(written.stream().map(AuditLine::text).toList());
        assertThat(new AuditVerifier().verify(tmp, List.of(), false).findings()).isEmpty();
    }
}
