package dev.veil.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditLog;
import dev.veil.audit.AuditVerifier;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.identity.LoginThrottle;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.MutableClock;
import dev.veil.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.veil.testing.AuditTrail.type;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of failed logins from one address, with user names as large as a client can send, through the
 * session auditor into a real audit log and its files: bounded records, a limit per address, and a summary.
 */
class AuthFailureAuditTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String HUGE_USER = "m".repeat(8 << 20);

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private AuditLog log;

    @AfterEach
    void stop() throws Exception {
        if (log != null) {
            log.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private SessionAuditor start() throws Exception {
        var config = TestConfig.veil(Map.of("veil.audit.file.directory", tmp.resolve("audit").toString(),
                "veil.audit.durability", "write", "veil.audit.auth-failures.per-source", "3",
                "veil.audit.auth-failures.window", "1m"));
        log = new AuditLog(config, clock, vertx, new SimpleMeterRegistry());
        log.start();
        return new SessionAuditor(log, config, clock, metrics, null, null, new LoginThrottle(LoginThrottle.Limits.OFF, clock, vertx, null));
    }

    private static VeilException accessDenied(String user) {
        return VeilException.fatal(ErrorCode.AUTH_FAILED, "Access denied for user '" + user + "'");
    }

    /** Stops the log (storing everything queued) and returns what the files hold. */
    private List<JsonNode> records() throws Exception {
        log.stop();
        log = null;
        return new AuditTrail(tmp.resolve("audit")).records();
    }

    @Test
    void aFloodFromOneAddressLeavesBoundedRecordsUpToTheLimitAndOneSummary() throws Exception {
        SessionAuditor auditor = start();
        for (int i = 0; i < 10; i++) {
            auditor.authenticationFailed("mysql", HUGE_USER, "10.0.0.9", false, accessDenied(HUGE_USER));
        }
        auditor.authenticationFailed("postgresql", "ann", "10.0.0.10", false, accessDenied("ann"));
        clock.set(T0.plusSeconds(59));
        auditor.closeAuthFailureWindows();
        clock.set(T0.plusSeconds(60));
        auditor.closeAuthFailureWindows();

        List<JsonNode> records = records();
        List<JsonNode> failed = records.stream().filter(type("auth.failed")).toList();
        assertThat(failed).hasSize(4);
        assertThat(failed.stream().filter(r -> "10.0.0.9".equals(r.path("clientAddress").asText()))).hasSize(3)
                .allSatisfy(r -> {
                    assertThat(r.path("user").asText()).hasSizeLessThan(1100).endsWith("…[truncated: " + HUGE_USER.length() + " chars]");
                    assertThat(r.path("reason").asText()).hasSizeLessThan(1100).startsWith("Access denied for user 'mmm");
                    assertThat(r.toString()).hasSizeLessThan(4096);
                });
        assertThat(records.stream().filter(type("auth.suppressed"))).singleElement().satisfies(s -> {
            assertThat(s.path("clientAddress").asText()).isEqualTo("10.0.0.9");
            assertThat(s.path("failures").asLong()).isEqualTo(7);
            assertThat(s.path("from").asText()).isEqualTo(T0.toString());
            assertThat(s.path("to").asText()).isEqualTo(T0.plusSeconds(60).toString());
        });
        // Every failure is still counted.
        assertThat(metrics.get("veil.auth.failures").counter().count()).isEqualTo(11);
        assertThat(metrics.get("veil.auth.failures.suppressed").counter().count()).isEqualTo(7);
        // The whole flood took a few kilobytes of audit file, and the chain is intact.
        long bytes = 0;
        try (var files = Files.list(tmp.resolve("audit"))) {
            for (Path f : files.toList()) {
                bytes += Files.readString(f, StandardCharsets.UTF_8).length();
            }
        }
        assertThat(bytes).isLessThan(16 * 1024);
        assertThat(new AuditVerifier().verify(tmp.resolve("audit"), List.of(), false).findings()).isEmpty();
    }

    @Test
    void theNextWindowRecordsAgain() throws Exception {
        SessionAuditor auditor = start();
        for (int i = 0; i < 5; i++) {
            auditor.authenticationFailed("postgresql", "mallory", "10.0.0.9", false, accessDenied("mallory"));
        }
        clock.set(T0.plusSeconds(120));
        auditor.authenticationFailed("postgresql", "mallory", "10.0.0.9", false, accessDenied("mallory"));
        List<JsonNode> records = records();
        assertThat(records.stream().filter(type("auth.failed"))).hasSize(4);
        assertThat(records.stream().filter(type("auth.suppressed"))).singleElement()
                .satisfies(s -> assertThat(s.path("failures").asLong()).isEqualTo(2));
    }

    /** A clock the test sets. */
}
