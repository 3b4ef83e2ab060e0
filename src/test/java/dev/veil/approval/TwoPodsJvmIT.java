package dev.veil.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testing.PostgresServer;
import dev.veil.testing.UpstreamServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Two packaged Veil processes (pods) sharing one control-plane PostgreSQL and link secret: a statement waiting on pod
 * A is approved through pod B's API and completes on A; a client whose pod is killed while it waits gets an error,
 * its request stays pending, is approved on B, and the same statement re-run on B runs at once; an access grant
 * approved through B applies to a new session on the restarted A. Runs after {@code mvn package} (failsafe).
 */
class TwoPodsJvmIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUESTER = "eng";
    private static final String REQUESTER_PASSWORD = "eng-secret";
    private static final String LEAD = "lead";
    private static final String LEAD_PASSWORD = "lead-secret";
    private static final String POLICY = """
            roles:
              engineer: {local-accounts: [eng]}
              admin: {configured-roles: [admin]}
            access:
              roles:
                admin:
                  requesters: [engineer]
                  approvers: {roles: [admin], count: 1}
                  max-duration: 1h
            rules:
              - name: drops-need-approval
                when: '"drop" in statement.actions'
                outcome: require-approval
                reason: dropping a table needs a second person
                timeout: 120s
              - name: vault-for-admins
                when: 'statement.relations.exists(r, r.relation == "pods_vault") && !("admin" in identity.roles)'
                outcome: deny
                reason: the vault is for admins
            default:
              known-identity: {outcome: allow}
            """;

    private static PostgresServer pg;
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startPostgres() throws Exception {
        Assumptions.assumeTrue(System.getProperty("native.image.path") == null,
                "the two-pod test runs the packaged jar, not a native build");
        pg = UpstreamServers.startPostgres();
        try (Connection c = pg.connectAsSuperuser("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE pods_control");
        }
        Files.writeString(work.resolve("policy.yaml"), POLICY);
    }

    @AfterAll
    static void stopAll() {
        started.forEach(Process::destroyForcibly);
        if (pg != null) {
            pg.close();
        }
    }

    /** One pod: its own listener, HTTP port and audit directory; the shared upstream, control plane and link secret. */
    private record Pod(Process process, int pgPort, int httpPort) {
        String jdbc() {
            return "jdbc:postgresql://127.0.0.1:" + pgPort + "/shop?sslmode=disable&assumeMinServerVersion=9.4";
        }

        URI api(String path) {
            return URI.create("http://127.0.0.1:" + httpPort + path);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Pod startPod(String name) throws Exception {
        Path jar = Path.of(System.getProperty("veil.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("the packaged Veil (mvn package)").exists();
        int pgPort = freePort();
        int httpPort = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dveil.demo.mode=off", "-Dveil.pg.port=" + pgPort, "-Dquarkus.http.port=" + httpPort,
                "-Dveil.mysql.enabled=false",
                "-Dveil.pg.default-upstream=u", "-Dveil.upstreams.u.host=" + pg.host(),
                "-Dveil.upstreams.u.port=" + pg.port(), "-Dveil.upstreams.u.database=shop",
                "-Dveil.upstreams.u.user=" + pg.superuser(), "-Dveil.upstreams.u.tls.mode=disable",
                "-Dveil.approvals.control-plane.enabled=true", "-Dveil.approvals.control-plane.host=" + pg.host(),
                "-Dveil.approvals.control-plane.port=" + pg.port(), "-Dveil.approvals.control-plane.database=pods_control",
                "-Dveil.approvals.control-plane.user=" + pg.superuser(),
                "-Dveil.approvals.control-plane.tls.mode=disable",
                "-Dveil.approvals.poll-interval=100ms",
                "-Dveil.approvals.link-secret=two-pods-link-secret-0123456789abcdefghij",
                "-Dveil.policy.file=" + work.resolve("policy.yaml"),
                "-Dveil.local-accounts." + REQUESTER + ".password=" + REQUESTER_PASSWORD,
                "-Dveil.local-accounts." + LEAD + ".password=" + LEAD_PASSWORD,
                "-Dveil.local-accounts." + LEAD + ".roles=admin",
                "-Dveil.audit.file.directory=" + work.resolve("audit-" + name)));
        if (!pg.superuserPassword().isEmpty()) {
            cmd.add("-Dveil.upstreams.u.password=" + pg.superuserPassword());
            cmd.add("-Dveil.approvals.control-plane.password=" + pg.superuserPassword());
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        Path log = work.resolve("veil-" + name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        started.add(p);
        Pod pod = new Pod(p, pgPort, httpPort);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 1200; i++) {
            assertThat(p.isAlive()).as("Veil " + name + " exited early; its log: " + log).isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(pod.api("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return pod;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("Veil " + name + " did not become ready within 120 s; its log: " + log);
    }

    private HttpResponse<String> call(Pod pod, String method, String path, String body, String user, String password)
            throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(pod.api(path)).header("Authorization", basic)
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> asLead(Pod pod, String method, String path, String body) throws Exception {
        return call(pod, method, path, body, LEAD, LEAD_PASSWORD);
    }

    /** The request of {@code sql} as {@code pod} lists it, once a waiting session has opened it. */
    private JsonNode pendingOn(Pod pod, String sql) throws Exception {
        for (int i = 0; i < 600; i++) {
            HttpResponse<String> r = asLead(pod, "GET", "/api/v1/approvals?status=pending", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            for (JsonNode n : JSON.readTree(r.body())) {
                if (n.path("statement").asText().equals(sql)) {
                    return n;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pending request for " + sql + " on the pod at " + pod.httpPort());
    }

    private static Connection engineer(Pod pod) throws SQLException {
        return DriverManager.getConnection(pod.jdbc(), REQUESTER, REQUESTER_PASSWORD);
    }

    private static CompletableFuture<SQLException> running(Statement st, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                st.execute(sql);
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }

    private static boolean exists(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void twoPodsShareRequestsApprovalsAndGrantsAndAKilledPodLosesNothing() throws Exception {
        Pod a = startPod("a1");
        Pod b = startPod("b");

        // (a) A client waits on pod A; the request is approved through pod B; the statement completes on A.
        try (Connection c = engineer(a); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pods_a (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE pods_a");
            String id = pendingOn(b, "DROP TABLE pods_a").path("id").asText();
            assertThat(drop).isNotDone();
            HttpResponse<String> ok = asLead(b, "POST", "/api/v1/approvals/" + id + "/approve", "{\"mode\": \"once\"}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat((Throwable) drop.get(60, TimeUnit.SECONDS)).isNull();
            assertThat(exists(st, "pods_a")).isFalse();
        }

        // (b) Pod A dies while a client waits: the client gets an error, not a hang; the request stays pending in the
        // control plane; approved through B, the identical statement re-run on B runs at once.
        String kept;
        try (Connection c = engineer(a); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pods_b (id int)");
            CompletableFuture<SQLException> drop = running(st, "DROP TABLE pods_b");
            kept = pendingOn(b, "DROP TABLE pods_b").path("id").asText();
            a.process().destroyForcibly();
            assertThat(a.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            SQLException lost = drop.get(60, TimeUnit.SECONDS);
            assertThat((Throwable) lost).as("the waiting client's error").isNotNull();
            assertThat(lost.getSQLState()).as(lost.getMessage()).startsWith("08");
        }
        HttpResponse<String> shown = asLead(b, "GET", "/api/v1/approvals/" + kept, null);
        assertThat(JSON.readTree(shown.body()).path("status").asText()).as(shown.body()).isEqualTo("pending");
        HttpResponse<String> ok = asLead(b, "POST", "/api/v1/approvals/" + kept + "/approve",
                "{\"mode\": \"window\", \"minutes\": 30}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        try (Connection c = engineer(b); Statement st = c.createStatement()) {
            assertThat(exists(st, "pods_b")).isTrue();
            st.execute("DROP TABLE pods_b");
            assertThat((Throwable) st.getWarnings()).as("no approval notice: it ran on the approval in force").isNull();
            assertThat(exists(st, "pods_b")).isFalse();
        }

        // (c) A restarted pod A loses nothing: an access grant approved through B applies to a new session on A.
        Pod again = startPod("a2");
        HttpResponse<String> kept2 = asLead(again, "GET", "/api/v1/approvals/" + kept, null);
        assertThat(JSON.readTree(kept2.body()).path("status").asText()).as(kept2.body()).isEqualTo("approved");
        try (Connection c = DriverManager.getConnection(again.jdbc(), LEAD, LEAD_PASSWORD); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE pods_vault (id int)");
        }
        try (Connection c = engineer(again); Statement st = c.createStatement()) {
            SQLException refused = catchThrowableOfType(() -> st.executeQuery("SELECT count(*) FROM pods_vault"),
                    SQLException.class);
            assertThat(refused.getSQLState()).isEqualTo("42501");
            assertThat(refused.getMessage()).contains("vault-for-admins");
        }
        HttpResponse<String> asked = call(again, "POST", "/api/v1/access/requests",
                "{\"role\": \"admin\", \"for\": \"30m\", \"reason\": \"two pods\"}", REQUESTER, REQUESTER_PASSWORD);
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
        String grant = JSON.readTree(asked.body()).path("id").asText();
        HttpResponse<String> granted = asLead(b, "POST", "/api/v1/access/requests/" + grant + "/approve",
                "{\"reason\": \"on call\"}");
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        try (Connection c = engineer(again); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pods_vault")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
