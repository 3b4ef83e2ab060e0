package dev.veil.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Writes real audit files through the real writer and file sink, for the verifier and writer tests. */
final class AuditChainFixture {
    static final AuditWriter.Observer QUIET = new AuditWriter.Observer() {
        public void batchWritten(int records, long nanos) { }

        public void writeFailed(String reason) { }
    };

    /** A clock that moves one second per reading, so each file gets its own name. */
    static Clock ticking() {
        return new Clock() {
            private long t = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();

            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }

            public Clock withZone(java.time.ZoneId zone) { return this; }

            public synchronized Instant instant() { return Instant.ofEpochSecond(t++); }
        };
    }

    static AuditWriter writer(Path dir, long maxFileBytes, Clock clock) throws IOException {
        AuditWriter w = new AuditWriter(List.of(new FileAuditSink(dir, maxFileBytes, Duration.ofDays(1), true, clock)), true,
                clock, 1000, 64, 5, Duration.ofHours(1), Duration.ofMillis(50), QUIET);
        w.start();
        return w;
    }

    static AuditEvent admin(Clock clock, int i) {
        return new AuditEvent.AdminAction(clock.instant(), "alice", "test.action", "thing-" + i, Map.of("n", String.valueOf(i)), true);
    }

    /** Writes {@code n} events one at a time (each its own batch) and stops the writer. */
    static void write(Path dir, int n, long maxFileBytes) throws Exception {
        Clock clock = ticking();
        AuditWriter w = writer(dir, maxFileBytes, clock);
        for (int i = 0; i < n; i++) {
            w.record(admin(clock, i)).get(10, TimeUnit.SECONDS);
        }
        w.stop(Duration.ofSeconds(10));
    }
}
