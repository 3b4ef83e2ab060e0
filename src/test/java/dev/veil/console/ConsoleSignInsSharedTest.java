package dev.veil.console;

import dev.veil.identity.Identity;
import dev.veil.testing.MutableClock;
import dev.veil.testing.PostgresServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Console sign-ins kept in the control-plane PostgreSQL (here the suite's audit database). The "second pod" is a
 * second {@link ConsoleSessions} with its own connection pool on the same table, in this JVM: two Quarkus
 * applications in one test run are impractical, and the second store does what a second Veil's does on every
 * console request. A sign-in made through the real Veil works on the second, a sign-out on either ends it on both;
 * the table holds only the token's SHA-256; last-seen is written at most once a minute; an unreachable database
 * means nobody is signed in, with a message saying why.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(ConsoleLocalSignInTest.WithAnAuditor.class)
@QuarkusTestResource(VeilTestResource.class)
class ConsoleSignInsSharedTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final String TABLE = "veil_console_signins";

    @TestHTTPResource("/console")
    URI console;

    @Inject
    Vertx vertx;

    private final List<SharedSignIns> opened = new ArrayList<>();

    @AfterEach
    void closePools() {
        opened.forEach(SharedSignIns::close);
    }

    private SharedSignIns secondPod(int port) {
        PostgresServer pg = VeilTestResource.server();
        PgConnectOptions connect = new PgConnectOptions().setHost(pg.host()).setPort(port).setDatabase("postgres")
                .setUser(pg.superuser()).setPassword(pg.superuserPassword()).setConnectTimeout(2000);
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(connect).using(vertx).build();
        SharedSignIns store = new SharedSignIns(pool, TABLE, pg.host() + ":" + port + "/postgres");
        opened.add(store);
        return store;
    }

    @Test
    void aSignInMadeOnOneVeilWorksOnAnotherAndASignOutOnEitherEndsItOnBoth() throws Exception {
        ConsoleSessions otherPod = new ConsoleSessions(Clock.systemUTC(), Duration.ofMinutes(30),
                secondPod(VeilTestResource.server().port()));

        // signed in through Veil, signed out through Veil
        HttpClient browser = browser();
        String token = signIn(browser);
        HttpResponse<String> audit = get(browser, console + "/audit");
        assertThat(audit.statusCode()).isEqualTo(200);
        ConsoleUser there = otherPod.find(token).orElseThrow(() -> new AssertionError("the other pod does not know the sign-in"));
        assertThat(there.name()).isEqualTo(VeilTestResource.ADMIN_USER);
        assertThat(there.admin()).isTrue();
        assertThat(there.csrf()).as("the same CSRF token on every pod").isEqualTo(csrf(audit.body()));
        assertThat(rowsHolding(token)).as("the table holds the token's SHA-256, never the token").isEqualTo(1);

        assertThat(post(browser, console + "/signout", "csrf=" + enc(csrf(audit.body()))).statusCode()).isEqualTo(303);
        assertThat(otherPod.find(token)).as("signed out on the first pod: gone on the second").isEmpty();
        assertThat(withCookie(token, console + "/audit").headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/console/signin"));

        // signed in through Veil, signed out on the other pod
        HttpClient again = browser();
        String second = signIn(again);
        assertThat(get(again, console + "/audit").statusCode()).isEqualTo(200);
        assertThat(otherPod.close(second)).isPresent();
        HttpResponse<String> after = get(again, console + "/audit");
        assertThat(after.statusCode()).as("signed out on the second pod: gone on the first").isEqualTo(303);
        assertThat(after.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/console/signin"));
    }

    @Test
    void lastSeenIsWrittenAtMostOnceAMinuteAndAnIdleSignInEndsOnEveryPod() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
        ConsoleSessions one = new ConsoleSessions(clock, Duration.ofMinutes(30), secondPod(VeilTestResource.server().port()));
        ConsoleSessions two = new ConsoleSessions(clock, Duration.ofMinutes(30), secondPod(VeilTestResource.server().port()));
        Identity ada = new Identity("ada", List.of("auditor"), Identity.Source.LOCAL_ACCOUNT);
        String token = one.open(ada, ConsoleAccess.AUDITOR, "local");

        clock.advance(Duration.ofSeconds(40));
        assertThat(two.find(token)).get().extracting(ConsoleUser::admin).isEqualTo(false);
        assertThat(lastSeen(token)).as("no write within the minute").isEqualTo(Instant.parse("2026-12-06T12:00:00Z"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(one.find(token)).isPresent();
        assertThat(lastSeen(token)).as("written once a minute has passed").isEqualTo(Instant.parse("2026-12-06T12:01:10Z"));

        clock.advance(Duration.ofMinutes(29).plusSeconds(59));
        assertThat(two.find(token)).as("29m59s idle").isPresent();
        clock.advance(Duration.ofMinutes(30));
        assertThat(one.find(token)).as("idle past the timeout").isEmpty();
        clock.advance(Duration.ofMinutes(-20));
        assertThat(two.find(token)).as("ended for good, even for a pod whose clock is behind").isEmpty();
    }

    @Test
    void anUnreachableControlPlaneMeansNotSignedInWithAMessageNotAStack() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        ConsoleSessions down = new ConsoleSessions(Clock.systemUTC(), Duration.ofMinutes(30), secondPod(closed));
        assertThatThrownBy(() -> down.find("some-cookie-token"))
                .isInstanceOf(SignInStore.SignInsUnavailable.class)
                .hasMessageContaining("Console sign-ins cannot be checked: the control-plane database")
                .hasMessageContaining(":" + closed + "/postgres");
    }

    private static int rowsHolding(String token) throws Exception {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("postgres");
             PreparedStatement st = c.prepareStatement("SELECT count(*) FROM " + TABLE + " WHERE token_sha256 = decode(?, 'hex') "
                     + "AND position(convert_to(?, 'UTF8') IN token_sha256) = 0 AND csrf <> ?")) {
            st.setString(1, HexFormat.of().formatHex(SealedIdToken.hash(token)));
            st.setString(2, token);
            st.setString(3, token);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Instant lastSeen(String token) throws Exception {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("postgres");
             PreparedStatement st = c.prepareStatement("SELECT last_seen FROM " + TABLE + " WHERE token_sha256 = decode(?, 'hex')")) {
            st.setString(1, HexFormat.of().formatHex(SealedIdToken.hash(token)));
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).isTrue();
                Timestamp t = rs.getTimestamp(1);
                return t.toInstant();
            }
        }
    }

    private String signIn(HttpClient http) throws Exception {
        String csrf = csrf(get(http, console + "/signin").body());
        HttpResponse<String> r = post(http, console + "/signin", "user=" + enc(VeilTestResource.ADMIN_USER) + "&password="
                + enc(VeilTestResource.ADMIN_PASSWORD) + "&csrf=" + enc(csrf));
        assertThat(r.statusCode()).isEqualTo(303);
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(ConsoleSessions.COOKIE + "="))
                .map(c -> HttpCookie.parse(c).get(0).getValue()).findFirst().orElseThrow();
    }

    private static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request carrying the old cookie even though the browser was told to drop it (a copied cookie). */
    private static HttpResponse<String> withCookie(String token, String uri) throws Exception {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build().send(HttpRequest.newBuilder(URI.create(uri))
                .header("Cookie", ConsoleSessions.COOKIE + "=" + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String uri, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF field in %s", html).isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
