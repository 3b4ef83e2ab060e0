package dev.veil.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.analysis.Dialect;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.audit.AuditQuery;
import dev.veil.audit.AuditSearch;
import dev.veil.audit.AuditVerifier;
import dev.veil.audit.LiteralRedactor;
import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.identity.LoginThrottle;
import dev.veil.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The record of a statement longer than veil.audit.max-statement-chars (redaction, fingerprint and hash of
 * the whole text, the JSON) is prepared on a worker, not on the session's event loop: the other sessions of
 * that loop are recorded meanwhile, and each session's records keep their order.
 */
class LongStatementRecordTest {
    @TempDir
    Path tmp;

    /** One worker thread, which the test holds to keep a long statement's record in preparation. */
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(1));
    private AuditLog log;

    @AfterEach
    void stop() {
        if (log != null) {
            log.stop();
        }
        vertx.close();
    }

    @Test
    void anotherSessionOnTheSameLoopIsRecordedWhileALongStatementsRecordIsPrepared() throws Exception {
        Path dir = tmp.resolve("audit");
        VeilConfig config = TestConfig.veil(Map.of("veil.audit.file.directory", dir.toString(),
                "veil.audit.durability", "write", "veil.audit.max-statement-chars", "1000"));
        Clock clock = Clock.systemUTC();
        log = new AuditLog(config, clock, vertx, new SimpleMeterRegistry());
        log.start();
        SessionAuditor auditor = new SessionAuditor(log, config, clock, new SimpleMeterRegistry(), null, null,
                new LoginThrottle(LoginThrottle.Limits.OFF, clock, vertx, null));
        Context loop = vertx.getOrCreateContext();
        SessionAudit ann = on(loop, () -> auditor.sessionStarted(session(1, "ann", clock), "postgresql", "test", true));
        SessionAudit bob = on(loop, () -> auditor.sessionStarted(session(2, "bob", clock), "postgresql", "test", true));

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        vertx.executeBlocking(() -> {
            held.countDown();
            return release.await(30, TimeUnit.SECONDS);
        }, false);
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();

        String longSql = "SELECT '" + "x".repeat(5_000) + "' AS padded, 42 /* " + "y".repeat(5_000) + " */";
        Future<StatementRecord> longOne = on(loop, () -> ann.decided(longSql, null, read(), AuditEvent.Decision.allowWithoutPolicy()));
        Future<StatementRecord> shortOne = on(loop, () -> bob.decided("SELECT 1", null, read(), AuditEvent.Decision.allowWithoutPolicy()));
        await(shortOne);
        assertThat(shortOne.succeeded()).isTrue();
        assertThat(longOne.isComplete()).as("the long statement's record waits for the (held) worker, not the loop").isFalse();
        on(loop, () -> {
            ann.ended("client disconnected"); // while its statement's record is still being prepared
            return null;
        });

        release.countDown();
        await(longOne);
        assertThat(longOne.succeeded()).isTrue();
        on(loop, () -> null); // the loop has run what followed the long record (the session end went to the log)
        log.stop();

        List<JsonNode> records = new AuditSearch(dir).find(AuditQuery.all()).stream().map(AuditSearch.Match::json).toList();
        int bobsDecision = indexOf(records, "statement.decided", "bob");
        int annsDecision = indexOf(records, "statement.decided", "ann");
        int annsEnd = indexOf(records, "session.ended", "ann");
        assertThat(bobsDecision).isLessThan(annsDecision);
        assertThat(annsEnd).as("a session's records stay in the order it made them").isGreaterThan(annsDecision);
        String redacted = new LiteralRedactor(Dialect.POSTGRESQL).redact(longSql);
        JsonNode d = records.get(annsDecision);
        assertThat(d.path("statementTruncated").asBoolean()).isTrue();
        assertThat(d.path("statementLength").asLong()).isEqualTo(redacted.length());
        assertThat(d.path("statementSha256").asText()).isEqualTo(sha256(redacted));
        assertThat(d.path("statement").asText()).startsWith("SELECT ? AS padded, ? /* yyy").hasSize(1000);
        assertThat(new AuditVerifier().verify(dir, List.of(), false).findings()).isEmpty();
    }

    private static AuditEvent.Analysis read() {
        return new AuditEvent.Analysis("READ", List.of(), List.of(), "known");
    }

    private static Session session(long id, String who, Clock clock) {
        return new Session(id, new Identity(who, List.of("analyst"), Identity.Source.LOCAL_ACCOUNT), "test",
                "127.0.0.1", false, "main", "shop", clock.instant());
    }

    private static int indexOf(List<JsonNode> records, String type, String identity) {
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            if (type.equals(r.path("type").asText()) && identity.equals(AuditQuery.identityOf(r))) {
                return i;
            }
        }
        throw new AssertionError("no " + type + " record of " + identity + " in " + records);
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Runs on the given event loop, as front ends do, and returns what it returned. */
    private static <T> T on(Context loop, Callable<T> task) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        loop.runOnContext(v -> {
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
}
