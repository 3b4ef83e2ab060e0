package dev.veil.audit;

import dev.veil.config.VeilConfig;
import dev.veil.frontend.ServerCertificate;
import dev.veil.testing.PostgresServer;
import dev.veil.testing.TestConfig;
import dev.veil.testing.UpstreamProvisioner;
import dev.veil.testing.UpstreamServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The audit database is an endpoint like an upstream: with tls.mode verify-full both its writer (the
 * reactive client) and its readers (pgjdbc) check the server's certificate against tls.ca-file.
 */
@Tag("servers")
class AuditDatabaseTlsTest {
    @TempDir
    static Path dir;

    private static PostgresServer server;
    private static Path serverCa;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        server = UpstreamServers.startPostgres();
        serverCa = UpstreamProvisioner.provision(server, dir);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        server.close();
    }

    private static VeilConfig config(Path caFile, String stream) {
        Map<String, String> p = new HashMap<>();
        p.put("veil.audit.file.enabled", "false");
        p.put("veil.audit.postgres.enabled", "true");
        p.put("veil.audit.postgres.host", server.host());
        p.put("veil.audit.postgres.port", String.valueOf(server.port()));
        p.put("veil.audit.postgres.database", "postgres");
        p.put("veil.audit.postgres.user", server.superuser());
        if (!server.superuserPassword().isEmpty()) {
            p.put("veil.audit.postgres.password", server.superuserPassword());
        }
        p.put("veil.audit.postgres.stream", stream);
        p.put("veil.audit.postgres.tls.mode", "verify-full");
        p.put("veil.audit.postgres.tls.ca-file", caFile.toString());
        return TestConfig.veil(p);
    }

    @Test
    void writesAndReadsTheTableWhenTheCertificateChainsToTheCaFile() throws Exception {
        VeilConfig config = config(serverCa, "verified");
        AuditLog log = new AuditLog(config, Clock.systemUTC(), vertx, new SimpleMeterRegistry());
        log.start();
        log.stop();
        assertThat(AuditTable.of(config.audit().postgres()).streams())
                .anySatisfy(s -> {
                    assertThat(s.name()).isEqualTo("verified");
                    assertThat(s.records()).isPositive();
                });
    }

    @Test
    void refusesAnAuditDatabaseWhoseCertificateTheCaFileDoesNotVouchFor() throws Exception {
        Path otherCa = Files.writeString(dir.resolve("other-ca.pem"), ServerCertificate.selfSigned().chainPem());
        VeilConfig config = config(otherCa, "unverified");
        AuditLog log = new AuditLog(config, Clock.systemUTC(), vertx, new SimpleMeterRegistry());
        try {
            assertThatThrownBy(log::start).isInstanceOf(IOException.class).hasMessageContaining("SSL");
        } finally {
            log.stop();
        }
        assertThatThrownBy(() -> AuditTable.of(config.audit().postgres()).streams()).isInstanceOf(IOException.class).hasMessageContaining("SSL");
    }
}
