package dev.veil.audit;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import org.junit.jupiter.api.Test;

import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search and the stream listing over a file holding a damaged record (found by AuditFileFuzzTest): a record
 * whose time is not an instant cannot be placed in a time range, so it is left out, as verify reports it.
 */
class AuditSearchDamagedRecordTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aTimeRangeLeavesOutARecordWhoseTimeIsNotAnInstant() throws Exception {
        try (FileSystem disk = Jimfs.newFileSystem(Configuration.unix())) {
            Path dir = Files.createDirectories(disk.getPath("/audit"));
            AuditCodec codec = new AuditCodec();
            AuditLine first = codec.encode(1, action(T0), AuditCodec.GENESIS);
            AuditLine second = codec.encode(2, action(T0.plusSeconds(60)), first.hash());
            String damaged = second.text().replace("\"2026-01-01T00:01:00Z\"", "\"2026-01-01 00:01\"");
            assertThat(damaged).isNotEqualTo(second.text());
            Files.writeString(dir.resolve(FileAuditSink.PREFIX + "20260101T000000Z-000000000001" + FileAuditSink.SUFFIX),
                    first.text() + "\n" + damaged + "\n");

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
    }

    private static AuditEvent action(Instant time) {
        return new AuditEvent.AdminAction(time, "alice", "test.action", "thing", Map.of(), true);
    }
}
