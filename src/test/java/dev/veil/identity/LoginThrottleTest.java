package dev.veil.identity;

import dev.veil.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backoff after failed logins, on a clock the test moves: it grows per address and per user name, is capped
 * (low for a name), never depends on whether an account exists, and forgets; a success takes back only its own.
 */
class LoginThrottleTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final LoginThrottle.Limits LIMITS = new LoginThrottle.Limits(true, 5, Duration.ofMillis(250),
            Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofMinutes(15));

    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private Vertx vertx;
    private final LoginThrottle throttle = new LoginThrottle(LIMITS, clock, null, metrics);

    @AfterEach
    void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The delay each next attempt would wait, after each of {@code n} failures. */
    private List<Duration> fail(LoginThrottle t, String source, String user, int n) {
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            t.failed(source, user);
            delays.add(t.delay(source, user));
        }
        return delays;
    }

    private static Duration ms(long ms) {
        return Duration.ofMillis(ms);
    }

    @Test
    void anAddressWaitsAfterItsFreeFailuresDoublingUpToTheCap() {
        assertThat(throttle.delay("10.0.0.9", "mallory")).isZero();
        assertThat(fail(throttle, "10.0.0.9", "mallory", 14)).containsExactly(
                ms(0), ms(0), ms(0), ms(0), ms(250), ms(500), ms(1000), ms(2000), ms(4000), ms(8000),
                ms(15_000), ms(15_000), ms(15_000), ms(15_000));
    }

    @Test
    void guessesSpreadOverNamesCountForTheAddress() {
        for (int i = 0; i < 9; i++) {
            throttle.failed("10.0.0.9", "user" + i);
        }
        assertThat(throttle.delay("10.0.0.9", "somebody-new")).isEqualTo(ms(4000));
        assertThat(throttle.delay("10.0.0.10", "somebody-new")).as("another address").isZero();
    }

    @Test
    void aUserUnderAttackFromElsewhereIsOnlySlowedALittle() {
        for (int i = 0; i < 1000; i++) {
            throttle.failed("10.0.0." + (i % 200), "alice");
        }
        assertThat(throttle.delay("192.168.1.20", "alice")).as("alice, from her own machine").isEqualTo(Duration.ofSeconds(2));
        assertThat(throttle.delay("192.168.1.20", "bob")).isZero();
    }

    @Test
    void aSuccessResetsTheUserAndTakesItsOwnFailuresOutOfTheAddress() {
        fail(throttle, "10.0.0.9", "alice", 7);
        fail(throttle, "10.0.0.9", "bob", 3);
        assertThat(throttle.delay("10.0.0.9", "carol")).isEqualTo(ms(8000));
        throttle.succeeded("10.0.0.9", "alice");
        assertThat(throttle.delay("10.0.0.9", "alice")).as("3 failures left, all bob's").isZero();
        // Logging in with one's own account does not wash the guesses at someone else's.
        fail(throttle, "10.0.0.9", "bob", 7);
        throttle.succeeded("10.0.0.9", "mallory");
        assertThat(throttle.delay("10.0.0.9", "mallory")).isEqualTo(ms(8000));
    }

    @Test
    void anUnknownUserWaitsExactlyAsAnExistingOneDoes() {
        // The throttle is never told whether an account exists: only the name and the address count.
        List<Duration> existing = fail(throttle, "10.0.0.1", "alice", 12);
        List<Duration> unknown = fail(throttle, "10.0.0.2", "no-such-user", 12);
        assertThat(unknown).isEqualTo(existing);
    }

    @Test
    void countsAreForgottenAfterAQuietPeriod() {
        fail(throttle, "10.0.0.9", "mallory", 12);
        clock.advance(Duration.ofMinutes(14));
        assertThat(throttle.delay("10.0.0.9", "mallory")).isEqualTo(Duration.ofSeconds(15));
        clock.advance(Duration.ofMinutes(1));
        assertThat(throttle.delay("10.0.0.9", "mallory")).isZero();
        assertThat(fail(throttle, "10.0.0.9", "mallory", 5).get(4)).as("counting starts over").isEqualTo(ms(250));
    }

    @Test
    void failuresWithoutANameCountForTheAddressOnly() {
        fail(throttle, "10.0.0.9", null, 6);
        assertThat(throttle.delay("10.0.0.9", null)).isEqualTo(ms(500));
        assertThat(throttle.delay("10.0.0.10", "anyone")).isZero();
    }

    @Test
    void theTablesStayBoundedWhateverIsSprayed() {
        String longName = "m".repeat(1000);
        for (int i = 0; i < LoginThrottle.MAX_TRACKED + 500; i++) {
            throttle.failed("10.1." + (i >> 8) + "." + (i & 255), longName + i);
        }
        assertThat(throttle.trackedSources()).isEqualTo(LoginThrottle.MAX_TRACKED);
        assertThat(throttle.trackedNames()).isEqualTo(LoginThrottle.MAX_TRACKED);
        // A long name is one entry whatever its length, and still counted per name.
        fail(throttle, "10.9.9.9", longName, 5);
        assertThat(throttle.delay("10.9.9.8", longName)).isEqualTo(ms(250));
        assertThat(throttle.delay("10.9.9.8", longName + "x")).isZero();
    }

    @Test
    void manyNamesFromOneAddressShareOneCount() {
        for (int i = 0; i < 500; i++) {
            throttle.failed("10.0.0.9", "user" + i);
        }
        throttle.succeeded("10.0.0.9", "user499");
        assertThat(throttle.delay("10.0.0.9", "x")).as("the names past the per-address bound are not taken back")
                .isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void turnedOffItNeverDelays() {
        LoginThrottle off = new LoginThrottle(LoginThrottle.Limits.OFF, clock, null, null);
        assertThat(fail(off, "10.0.0.9", "mallory", 50)).containsOnly(Duration.ZERO);
    }

    @Test
    void admissionWaitsOnATimerAndIsRecorded() throws Exception {
        vertx = Vertx.vertx();
        LoginThrottle t = new LoginThrottle(new LoginThrottle.Limits(true, 1, ms(5), ms(40), ms(10), Duration.ofMinutes(1)),
                clock, vertx, metrics);
        assertThat(t.admit("10.0.0.9", "mallory").isComplete()).as("no failure: no wait").isTrue();
        fail(t, "10.0.0.9", "mallory", 3);
        // A timer never fires early, so the wait is at least the delay however loaded the machine is (checking that
        // the future is still pending right after admit() failed on a machine that paused this thread for longer).
        long asked = System.nanoTime();
        Future<Void> admitted = t.admit("10.0.0.9", "mallory");
        admitted.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - asked).as("waited at least the 20 ms delay").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(metrics.get("veil.auth.throttled").counter().count()).isEqualTo(1);
        assertThat(metrics.get("veil.auth.throttle.delay").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(20);
    }
}
