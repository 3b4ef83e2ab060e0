package dev.veil.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testing.AuditTrail;
import dev.veil.testing.RawPgClient;
import dev.veil.testing.VeilTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

/**
 * Password guessing against the running Veil on each surface (pgjdbc, MariaDB Connector/J, HTTP Basic on the
 * admin API), from distinct loopback addresses: after the free failures every attempt waits, each wait doubles
 * up to the cap, the right password still gets in (from the guesser's address and, barely slowed, from the
 * user's own), and every failed HTTP login is an auth.failed record. The test Veil waits milliseconds
 * (VeilTestResource: first-delay 1ms, max-delay 40ms, user-max-delay 10ms); the waits are read from Veil's
 * veil.auth.throttle.delay timer, never from a wall clock.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class LoginThrottleThroughVeilTest {
    /** What the waits of 12 failed attempts in a row must be, in milliseconds: 5 free, then doubling to the cap. */
    private static final List<Long> GROWING = List.of(0L, 0L, 0L, 0L, 0L, 1L, 2L, 4L, 8L, 16L, 32L, 40L);
    private static final Duration USER_CAP = Duration.ofMillis(10);

    @Inject
    LocalAccounts accounts;

    @Inject
    LoginThrottle throttle;

    @Inject
    MeterRegistry metrics;

    @TestHTTPResource("/")
    URI http;

    @BeforeEach
    void accounts() {
        accounts.add("throttle-pg", "pg-right", List.of());
        accounts.add("throttle-pg2", "pg2-right", List.of());
        accounts.add("throttle-my", "my-right", List.of());
        accounts.add("throttle-http", "http-right", List.of("admin"));
    }

    interface Attempt {
        void run() throws Exception;
    }

    /**
     * Runs one login attempt and returns the wait Veil put it through, as its timer recorded it; that is also
     * what the throttle said the attempt would wait, before it was made.
     */
    private long waited(String source, String user, Attempt attempt) throws Exception {
        Duration expected = throttle.delay(source, user);
        Timer timer = metrics.get("veil.auth.throttle.delay").timer();
        long count = timer.count();
        double total = timer.totalTime(TimeUnit.MILLISECONDS);
        attempt.run();
        assertThat(timer.count() - count).as("attempts that waited").isEqualTo(expected.isZero() ? 0 : 1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS) - total).as("milliseconds waited").isCloseTo(expected.toMillis(), within(0.01));
        return expected.toMillis();
    }

    private List<Long> failures(String source, String user, int n, Attempt attempt) throws Exception {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waits.add(waited(source, user, attempt));
        }
        return waits;
    }

    // ---- PostgreSQL ---------------------------------------------------------------------------------

    private static Connection pg(String source, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("localSocketAddress", source);
        return DriverManager.getConnection(VeilTestResource.veilUrl("postgres", ""), p);
    }

    private static void pgRefused(String source, String user, String password) {
        SQLException e = catchThrowableOfType(() -> pg(source, user, password).close(), SQLException.class);
        assertThat((Throwable) e).as("refused").isNotNull();
        assertThat(e.getSQLState()).isEqualTo("28P01");
    }

    private static void pgWorks(String source, String user, String password) throws SQLException {
        try (Connection c = pg(source, user, password)) {
            assertThat(one(c)).isEqualTo("1");
        }
    }

    private static String one(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void postgresGuessesWaitLongerAndLongerYetTheRightPasswordStillGetsIn() throws Exception {
        String attacker = "127.0.0.21";
        String owner = "127.0.0.22";
        assertThat(failures(attacker, "throttle-pg", 12, () -> pgRefused(attacker, "throttle-pg", "guess"))).isEqualTo(GROWING);
        // The user, from their own address: slowed by at most the low per-user cap, never refused.
        assertThat(waited(owner, "throttle-pg", () -> pgWorks(owner, "throttle-pg", "pg-right"))).isEqualTo(USER_CAP.toMillis());
        // The right password from the guesser's address works too, after the longest wait; then its count is gone.
        assertThat(waited(attacker, "throttle-pg", () -> pgWorks(attacker, "throttle-pg", "pg-right"))).isEqualTo(40);
        assertThat(throttle.delay(attacker, "throttle-pg")).isZero();
        List<JsonNode> failed = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("auth.failed")
                && r.path("clientAddress").asText().equals(attacker), 12);
        assertThat(failed).hasSize(12).allSatisfy(r -> assertThat(r.path("protocol").asText()).isEqualTo("postgresql"));
    }

    @Test
    void anUnknownUserWaitsExactlyAsAKnownUserWithAWrongPassword() throws Exception {
        List<Long> known = failures("127.0.0.23", "throttle-pg2", 9, () -> pgRefused("127.0.0.23", "throttle-pg2", "guess"));
        List<Long> unknown = failures("127.0.0.24", "nobody-here", 9, () -> pgRefused("127.0.0.24", "nobody-here", "guess"));
        assertThat(unknown).isEqualTo(known).isEqualTo(GROWING.subList(0, 9));
    }

    @Test
    void aPasswordSentAheadOfTheRequestDoesNotSkipTheWait() throws Exception {
        String source = "127.0.0.25";
        failures(source, "nobody-either", 12, () -> pgRefused(source, "nobody-either", "guess"));
        assertThat(throttle.delay(source, "nobody-either")).isEqualTo(Duration.ofMillis(40));
        try (RawPgClient client = new RawPgClient(source, VeilTestResource.veilPort())) {
            // Startup and a cleartext password in one write: the password must not be judged before the wait.
            byte[] params = "user\0nobody-either\0database\0postgres\0\0".getBytes(StandardCharsets.UTF_8);
            byte[] password = "guess\0".getBytes(StandardCharsets.UTF_8);
            ByteBuffer both = ByteBuffer.allocate(8 + params.length + 5 + password.length);
            both.putInt(8 + params.length).putInt(196608).put(params).put((byte) 'p').putInt(4 + password.length).put(password);
            client.sendRaw(both.array());
            RawPgClient.Message answer = client.read();
            assertThat(answer.type()).isEqualTo('E');
            assertThat(answer.fields().get('C')).isEqualTo("08P01");
            assertThat(answer.fields().get('M')).contains("before Veil asked for one");
        }
    }

    // ---- MySQL --------------------------------------------------------------------------------------

    private static Connection mariadb(String source, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(VeilTestResource.veilMariadbUrl("shop", "localSocketAddress=" + source), p);
    }

    @Test
    void mysqlGuessesWaitLongerAndLongerYetTheRightPasswordStillGetsIn() throws Exception {
        String attacker = "127.0.0.31";
        String owner = "127.0.0.32";
        assertThat(failures(attacker, "throttle-my", 12, () -> {
            SQLException e = catchThrowableOfType(() -> mariadb(attacker, "throttle-my", "guess").close(), SQLException.class);
            assertThat((Throwable) e).as("refused").isNotNull();
            assertThat(e.getErrorCode()).isEqualTo(1045);
        })).isEqualTo(GROWING);
        assertThat(waited(owner, "throttle-my", () -> mariadb(owner, "throttle-my", "my-right").close())).isEqualTo(USER_CAP.toMillis());
        assertThat(waited(attacker, "throttle-my", () -> mariadb(attacker, "throttle-my", "my-right").close())).isEqualTo(40);
    }

    // ---- HTTP (admin API) ---------------------------------------------------------------------------

    /** One HTTP/1.1 request from {@code source}; returns the status code. */
    private int request(String source, String method, String path, String authorization, String body) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", http.getPort()));
            s.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (authorization != null) {
                head.append("Authorization: ").append(authorization).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyFailedHttpLoginIsAuditedAndGuessesWaitLongerAndLonger() throws Exception {
        String attacker = "127.0.0.41";
        String owner = "127.0.0.42";
        assertThat(failures(attacker, "throttle-http", 12, () -> assertThat(request(attacker, "GET", "/api/v1/audit?limit=1",
                basic("throttle-http", "guess"), null)).isEqualTo(401))).isEqualTo(GROWING);
        assertThat(waited(owner, "throttle-http", () -> assertThat(request(owner, "GET", "/api/v1/audit?limit=1",
                basic("throttle-http", "http-right"), null)).isEqualTo(200))).isEqualTo(USER_CAP.toMillis());
        // A body still arrives whole after the wait: the analyze endpoint reads it (and finds it incomplete).
        assertThat(waited(attacker, "throttle-http", () -> assertThat(request(attacker, "POST", "/api/v1/analyze",
                basic("throttle-http", "http-right"), "{}")).isEqualTo(400))).isEqualTo(40);

        List<JsonNode> failed = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("auth.failed")
                && r.path("clientAddress").asText().equals(attacker), 12);
        assertThat(failed).hasSize(12).allSatisfy(r -> {
            assertThat(r.path("protocol").asText()).isEqualTo("http");
            assertThat(r.path("user").asText()).isEqualTo("throttle-http");
            assertThat(r.path("reason").asText()).contains("password authentication failed");
        });
    }

    @Test
    void aBadBearerTokenOrAMalformedHeaderIsAuditedToo() throws Exception {
        String source = "127.0.0.43";
        assertThat(request(source, "GET", "/api/v1/audit", "Bearer not-a-token", null)).isEqualTo(401);
        assertThat(request(source, "POST", "/api/v1/analyze", "Basic !!!", "{}")).isEqualTo(401);
        List<JsonNode> failed = AuditTrail.ofTestVeil().await(r -> r.path("type").asText().equals("auth.failed")
                && r.path("clientAddress").asText().equals(source), 2);
        assertThat(failed).extracting(r -> r.path("reason").asText())
                .anyMatch(reason -> reason.contains("token rejected"))
                .anyMatch(reason -> reason.contains("malformed Basic credentials"));
    }
}
