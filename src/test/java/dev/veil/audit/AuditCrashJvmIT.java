package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.PostgresServer;
import dev.veil.testing.UpstreamServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged Veil in its own process, killed with SIGKILL under load: every statement a client saw
 * complete has its decision record on disk, the chain verifies (also with {@code veil audit verify}), and
 * a restarted Veil continues the same chain. Runs after {@code mvn package} (failsafe, {@code mvn verify}).
 */
class AuditCrashJvmIT {
    private static final String USER = "load";
    private static final String PASSWORD = "load-secret";

    private static PostgresServer upstream;
    /** Veil's logs and audit files; kept (under target/tmp) when a test failed, to read them. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    @BeforeAll
    static void startUpstream() throws Exception {
        Assumptions.assumeTrue(System.getProperty("native.image.path") == null,
                "the JVM crash test runs against the packaged jar, not a native build");
        upstream = UpstreamServers.startPostgres();
    }

    @AfterAll
    static void stopUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("veil.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("the packaged Veil (mvn package)").exists();
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A Veil process fronting the test upstream, auditing into {@code audit}. */
    private static Process startVeil(Path audit, String readsDurableBefore, int pgPort, int httpPort, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dveil.demo.mode=off", "-Dveil.pg.port=" + pgPort, "-Dquarkus.http.port=" + httpPort,
                "-Dveil.pg.default-upstream=u", "-Dveil.upstreams.u.host=" + upstream.host(),
                "-Dveil.upstreams.u.port=" + upstream.port(), "-Dveil.upstreams.u.database=shop",
                "-Dveil.upstreams.u.user=" + upstream.superuser(), "-Dveil.upstreams.u.tls.mode=disable",
                "-Dveil.local-accounts." + USER + ".password=" + PASSWORD,
                "-Dveil.audit.file.directory=" + audit, "-Dveil.audit.file.max-file-bytes=200000",
                "-Dveil.audit.reads-durable-before=" + readsDurableBefore));
        if (!upstream.superuserPassword().isEmpty()) {
            cmd.add("-Dveil.upstreams.u.password=" + upstream.superuserPassword());
        }
        cmd.addAll(List.of("-jar", jar().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 600; i++) {
            assertThat(p.isAlive()).as("Veil exited early; its log: " + log).isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("Veil did not become ready within 60 s; its log: " + log);
    }

    private static String url(int port, String mode) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/shop?sslmode=disable&assumeMinServerVersion=9.4&" + mode;
    }

    /** Each read durability mode: none (the default), reply (answers held for the fsync), run (reads wait too). */
    @ParameterizedTest(name = "reads-durable-before={0}")
    @ValueSource(strings = {"none", "reply", "run"})
    void everyStatementAClientSawCompleteIsOnDiskAfterKillNine(String readsDurableBefore) throws Exception {
        Path audit = work.resolve("audit-" + readsDurableBefore);
        int pgPort = freePort();
        Process veil = startVeil(audit, readsDurableBefore, pgPort, freePort(), work.resolve("veil-1-" + readsDurableBefore + ".log"));
        Set<String> completed = Collections.synchronizedSet(new HashSet<>());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        String[] modes = {"preferQueryMode=simple", "prepareThreshold=1", "preferQueryMode=simple", "prepareThreshold=0"};
        for (int c = 0; c < modes.length; c++) {
            int client = c;
            Thread t = new Thread(() -> load(pgPort, modes[client], client, stop, completed), "load-" + c);
            t.start();
            clients.add(t);
        }
        // Reads run once their record is in the file (fsync'd later, or before their answer, or before they run:
        // the mode); writes wait for the fsync before they run: one client of each kind of path.
        Thread writer = new Thread(() -> write(pgPort, stop, completed), "load-writes");
        writer.start();
        clients.add(writer);
        // Let the load run until enough statements completed (bounded), then pull the plug.
        for (int i = 0; i < 300 && completed.size() < 2_000; i++) {
            Thread.sleep(50);
        }
        veil.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
        assertThat(veil.waitFor(30, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread t : clients) {
            t.join(30_000);
        }
        Set<String> seen;
        synchronized (completed) {
            seen = new HashSet<>(completed);
        }
        assertThat(seen).as("statements completed before the kill").hasSizeGreaterThan(100);
        assertThat(seen).as("writes among them").anyMatch(m -> m.startsWith("w-"));

        // Every statement a client saw complete has its decision on disk (the marker is in a kept comment).
        Set<String> decided = new HashSet<>();
        AuditCodec codec = new AuditCodec();
        for (Path f : FileAuditSink.files(audit)) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.chars().allMatch(ch -> ch == 0)) {
                    continue; // the zero-filled space ahead of the records that the killed Veil left
                }
                JsonNode j = codec.parse(line).json();
                if ("statement.decided".equals(j.path("type").asText())) {
                    String s = j.path("statement").asText();
                    int at = s.indexOf("/* m:");
                    if (at >= 0) {
                        decided.add(s.substring(at + 5, s.indexOf(" */", at)));
                    }
                }
            }
        }
        assertThat(decided).containsAll(seen);
        AuditVerifier.Result r = new AuditVerifier().verify(audit, List.of(), false);
        assertThat(r.findings()).as("chain up to the crash").isEmpty();
        assertThat(cli("audit", "verify", "--dir", audit.toString())).contains("OK");

        // A restarted Veil continues the same chain; a clean stop ends it with a stop checkpoint.
        int pgPort2 = freePort();
        Process again = startVeil(audit, readsDurableBefore, pgPort2, freePort(), work.resolve("veil-2-" + readsDurableBefore + ".log"));
        try (Connection conn = DriverManager.getConnection(url(pgPort2, "preferQueryMode=simple"), USER, PASSWORD);
             Statement st = conn.createStatement()) {
            st.execute("/* m:after-restart */ SELECT 1");
        }
        again.destroy(); // SIGTERM: orderly shutdown
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        AuditVerifier.Result after = new AuditVerifier().verify(audit, List.of(), false);
        assertThat(after.findings()).isEmpty();
        assertThat(after.lastSeq()).isGreaterThan(r.lastSeq());
        List<Path> files = FileAuditSink.files(audit);
        assertThat(Files.readString(files.get(files.size() - 1))).contains("\"reason\":\"stop\"").contains("m:after-restart");
        assertThat(cli("audit", "search", "--dir", audit.toString(), "--identity", USER, "--type", "session.started"))
                .contains("\"type\":\"session.started\"");
    }

    /** One client: statements in a loop, each with a unique marker, remembered once their result arrived. */
    private static void load(int port, String mode, int client, AtomicBoolean stop, Set<String> completed) {
        long n = 0;
        try (Connection c = DriverManager.getConnection(url(port, mode), USER, PASSWORD)) {
            while (!stop.get()) {
                String marker = "c" + client + "-" + (n++);
                try (PreparedStatement ps = c.prepareStatement("/* m:" + marker + " */ SELECT count(*) FROM orders WHERE id <= ?")) {
                    ps.setInt(1, 10);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                }
                completed.add(marker);
            }
        } catch (Exception expected) {
            // the gateway was killed
        }
    }

    /** One client writing: INSERTs into its own temporary table, each with a unique marker. */
    private static void write(int port, AtomicBoolean stop, Set<String> completed) {
        long n = 0;
        try (Connection c = DriverManager.getConnection(url(port, "prepareThreshold=1"), USER, PASSWORD);
             Statement st = c.createStatement()) {
            st.execute("CREATE TEMPORARY TABLE marks (n bigint)");
            while (!stop.get()) {
                String marker = "w-" + (n++);
                try (PreparedStatement ps = c.prepareStatement("/* m:" + marker + " */ INSERT INTO marks VALUES (?)")) {
                    ps.setLong(1, n);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                completed.add(marker);
            }
        } catch (Exception expected) {
            // the gateway was killed
        }
    }

    /** Runs the packaged executable as a tool and returns its output; it must exit 0. */
    private static String cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
