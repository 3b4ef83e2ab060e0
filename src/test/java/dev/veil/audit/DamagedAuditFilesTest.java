package dev.veil.audit;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit tools over files damaged in ways AuditFileFuzzTest found (its inputs replay them too): search and
 * the stream listing leave out what they cannot place, verify reports what it cannot follow, and neither ends
 * with an exception or runs out of memory.
 */
class DamagedAuditFilesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final FileSystem disk = Jimfs.newFileSystem(Configuration.unix());
    private final AuditCodec codec = new AuditCodec();

    @AfterEach
    void closeDisk() throws IOException {
        disk.close();
    }

    @Test
    void aTimeRangeLeavesOutARecordWhoseTimeIsNotAnInstant() throws Exception {
        AuditLine first = codec.encode(1, action(T0), AuditCodec.GENESIS);
        AuditLine second = codec.encode(2, action(T0.plusSeconds(60)), first.hash());
        String damaged = second.text().replace("\"2026-01-01T00:01:00Z\"", "\"2026-01-01 00:01\"");
        assertThat(damaged).isNotEqualTo(second.text());
        Path dir = auditFile(first.text() + "\n" + damaged + "\n");

        AuditSearch search = new AuditSearch(dir);
        AuditQuery lastYearToNextYear = new AuditQuery(null, T0.minusSeconds(86_400 * 365L), T0.plusSeconds(86_400 * 365L),
                null, null, null, null, null, 100);
        assertThat(search.find(lastYearToNextYear)).extracting(AuditSearch.Match::line).containsExactly(first.text());
        assertThat(search.find(AuditQuery.all())).hasSize(2);

        AuditTable.Stream extent = search.extent("audit");
        assertThat(extent.records()).isEqualTo(2);
        assertThat(extent.lastSeq()).isEqualTo(2);
        assertThat(extent.firstTime()).isEqualTo(T0);
        assertThat(extent.lastTime()).isEqualTo(T0);
    }

    @Test
    void aRecordAfterOneClaimingTheLargestSeqIsReportedWithoutNotingEverySeqInBetween() throws Exception {
        // Before, the verifier noted each seq from the one after Long.MAX_VALUE (wrapped to Long.MIN_VALUE) up to 5.
        AuditLine last = codec.encode(Long.MAX_VALUE, action(T0), AuditCodec.GENESIS);
        AuditLine next = codec.encode(5, action(T0.plusSeconds(1)), last.hash());
        Path dir = auditFile(last.text() + "\n" + next.text() + "\n");

        AuditVerifier.Result result = new AuditVerifier().verify(dir, List.of(), false);

        assertThat(result.records()).isEqualTo(2);
        assertThat(result.findings()).extracting(AuditVerifier.Finding::problem).containsExactly(AuditVerifier.Problem.DELETED);
    }

    private Path auditFile(String content) throws IOException {
        Path dir = Files.createDirectories(disk.getPath("/audit"));
        Files.writeString(dir.resolve(FileAuditSink.PREFIX + "20260101T000000Z-000000000001" + FileAuditSink.SUFFIX), content);
        return dir;
    }

    private static AuditEvent action(Instant time) {
        return new AuditEvent.AdminAction(time, "alice", "test.action", "thing", Map.of(), true);
    }
}
