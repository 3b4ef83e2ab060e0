package dev.veil.audit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AuditAnchorsTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final List<Long> logged = new ArrayList<>();
    private final AuditAnchors anchors = new AuditAnchors(Duration.ofMinutes(1), l -> logged.add(l.seq()));

    @Test
    void theFirstCheckpointIsLoggedAtOnce() {
        anchors.add(checkpoint(1));
        anchors.log(0, false);
        assertEquals(List.of(1L), logged);
    }

    @Test
    void checkpointsWithinTheSpacingAreHeldAndOnlyTheNewestIsLoggedOnceItPasses() {
        anchors.add(checkpoint(1));
        anchors.log(0, false);
        for (long seq = 1002; seq <= 20_002; seq += 1001) {
            anchors.add(checkpoint(seq));
            anchors.log(seq * 1000, false); // well inside the minute
        }
        assertEquals(List.of(1L), logged);

        anchors.log(59 * SECOND, false);
        assertEquals(List.of(1L), logged);
        anchors.log(60 * SECOND, false);
        assertEquals(List.of(1L, 19_020L), logged);
        anchors.log(200 * SECOND, false);
        assertEquals(List.of(1L, 19_020L), logged, "an anchor is logged once");
    }

    @Test
    void stoppingLogsTheHeldCheckpointWhateverTheSpacing() {
        anchors.add(checkpoint(1));
        anchors.log(0, false);
        anchors.add(checkpoint(1002));
        anchors.add(checkpoint(1500));
        anchors.log(SECOND, false);
        anchors.log(2 * SECOND, true);
        assertEquals(List.of(1L, 1500L), logged);
    }

    @Test
    void nothingIsLoggedWithoutANewCheckpoint() {
        anchors.log(0, false);
        anchors.log(120 * SECOND, true);
        assertEquals(List.of(), logged);
    }

    private static AuditLine checkpoint(long seq) {
        return AuditLine.ofText(seq, "checkpoint", Instant.EPOCH, null, "h" + seq, "{}");
    }
}
