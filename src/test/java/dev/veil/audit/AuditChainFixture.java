package dev.veil.audit;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes real audit files (and tables) through the real writer and sinks, for the verifier, writer, search
 * and command-line tests.
 */
public final class AuditChainFixture {
    static final AuditWriter.Observer QUIET = new AuditWriter.Observer() {
        public void batchWritten(int records, long nanos) { }

        public void writeFailed(String reason) { }
    };

    /** A clock that moves one second per reading, so each file gets its own name. */
    public static Clock ticking() {
        return new Clock() {
            private long t = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();

            public ZoneId getZone() { return ZoneOffset.UTC; }

            public Clock withZone(ZoneId zone) { return this; }

            public synchronized Instant instant() { return Instant.ofEpochSecond(t++); }
        };
    }

    static AuditWriter writer(Path dir, long maxFileBytes, Clock clock) throws IOException {
        return writer(List.of(new FileAuditSink(dir, maxFileBytes, Duration.ofDays(1), true, clock)), clock);
    }

    static AuditWriter writer(List<AuditSink> sinks, Clock clock) throws IOException {
        AuditWriter w = new AuditWriter(sinks, true, clock, 1000, 64, 5, Duration.ofHours(1), Duration.ofMillis(50), QUIET);
        w.start();
        return w;
    }

    /** Writes the events one at a time (each its own batch) into every sink, then stops the writer. */
    public static void write(List<AuditSink> sinks, Clock clock, List<AuditEvent> events) throws Exception {
        AuditWriter w = writer(sinks, clock);
        for (AuditEvent e : events) {
            w.record(e).get(10, TimeUnit.SECONDS);
        }
        w.stop(Duration.ofSeconds(10));
    }

    /** The file sink and a table sink (its own stream) at once, as a Veil with both enabled writes them. */
    public static List<AuditSink> fileAndTable(Path dir, Vertx vertx, PgConnectOptions pg,
                                               String table, String stream, Clock clock) {
        List<AuditSink> sinks = new ArrayList<>();
        if (dir != null) {
            sinks.add(new FileAuditSink(dir, 4_000, Duration.ofDays(1), true, clock));
        }
        sinks.add(new PostgresAuditSink(vertx, pg, table, stream, Duration.ofSeconds(10)));
        return sinks;
    }

    private static AuditEvent.StatementDecided decided(Instant t0, int minute, String who, String sql, AuditEvent.Analysis a,
                                                       AuditEvent.Decision d, String approval) {
        return new AuditEvent.StatementDecided(t0.plusSeconds(60L * minute), minute, 1, who, List.of("analyst"), "prod", "main", "shop",
                "postgresql", "f", sql, true, null, a, d, List.of(), approval);
    }

    /**
     * Events carrying the facts search and evidence look at (tagged columns, a denial, an approval, privilege
     * statements, admin actions, a failed sign-in), all within the hour from {@code t0} but the last.
     */
    public static List<AuditEvent> evidence(Instant t0) {
        var emails = new AuditEvent.Analysis("READ", List.of("public.customers:read"),
                List.of(new AuditEvent.ColumnAccess("public.customers", "email", "read", List.of("pii.email"))), "known");
        var grant = new AuditEvent.Analysis("PRIVILEGE", List.of(), List.of(), "known");
        var plain = new AuditEvent.Analysis("READ", List.of("public.orders:read"),
                List.of(new AuditEvent.ColumnAccess("public.orders", "total", "read", List.of())), "known");
        return List.of(
                decided(t0, 0, "ann", "SELECT email FROM customers", emails, AuditEvent.Decision.allowWithoutPolicy(), null),
                decided(t0, 1, "ann", "SELECT email FROM customers WHERE id = ?", emails, AuditEvent.Decision.allowWithoutPolicy(), null),
                decided(t0, 2, "bob", "SELECT total FROM orders", plain, AuditEvent.Decision.allowWithoutPolicy(), null),
                decided(t0, 3, "bob", "DELETE FROM orders", new AuditEvent.Analysis("WRITE", List.of("public.orders:delete"), List.of(), "known"), new AuditEvent.Decision(AuditEvent.Verdict.DENY, "no-unbounded-delete", "DELETE without WHERE"), null),
                decided(t0, 4, "bob", "SELECT email FROM customers", emails, AuditEvent.Decision.allowWithoutPolicy(), "approval-17"),
                decided(t0, 5, "root", "GRANT SELECT ON customers TO bob", grant, AuditEvent.Decision.allowWithoutPolicy(), null),
                new AuditEvent.AdminAction(t0.plusSeconds(360), "root", "policy.publish", "prod", Map.of("version", "7"), true),
                new AuditEvent.AdminAction(t0.plusSeconds(370), "auditor", "audit.search", "/api/v1/audit", Map.of(), true),
                new AuditEvent.AuthenticationFailed(t0.plusSeconds(420), "postgresql", "eve", "10.0.0.9", true, "28P01", "bad password"),
                // outside the hour
                decided(t0, 600, "ann", "SELECT email FROM customers", emails, AuditEvent.Decision.allowWithoutPolicy(), null));
    }

    static AuditEvent admin(Clock clock, int i) {
        return new AuditEvent.AdminAction(clock.instant(), "alice", "test.action", "thing-" + i, Map.of("n", String.valueOf(i)), true);
    }

    /** Writes {@code n} events one at a time (each its own batch) and stops the writer. */
    public static void write(Path dir, int n, long maxFileBytes) throws Exception {
        Clock clock = ticking();
        AuditWriter w = writer(dir, maxFileBytes, clock);
        for (int i = 0; i < n; i++) {
            w.record(admin(clock, i)).get(10, TimeUnit.SECONDS);
        }
        w.stop(Duration.ofSeconds(10));
    }
}
