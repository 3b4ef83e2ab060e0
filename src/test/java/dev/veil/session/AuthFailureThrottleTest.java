package dev.veil.session;

import dev.veil.audit.AuditEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Failed logins from one address are recorded up to a limit per window, then only counted and summed up. */
class AuthFailureThrottleTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final AuthFailureThrottle throttle = new AuthFailureThrottle(3, WINDOW);

    private static AuditEvent.AuthenticationFailed failure(String address, Instant at) {
        return new AuditEvent.AuthenticationFailed(at, "postgresql", "mallory", address, false, "28P01", "password authentication failed");
    }

    private List<AuditEvent> fail(String address, int times, Instant at) {
        List<AuditEvent> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.addAll(throttle.failed(failure(address, at)));
        }
        return out;
    }

    @Test
    void recordsTheFirstFailuresOfAWindowThenSumsUpTheRestWhenItEnds() {
        List<AuditEvent> recorded = fail("10.0.0.9", 10, T0.plusSeconds(1));
        assertThat(recorded).hasSize(3).allMatch(AuditEvent.AuthenticationFailed.class::isInstance);
        assertThat(throttle.closed(T0.plusSeconds(60))).isEmpty(); // the window began at the first failure, T0+1s
        assertThat(throttle.closed(T0.plusSeconds(61))).singleElement().isEqualTo(
                new AuditEvent.AuthenticationFailuresSuppressed(T0.plusSeconds(61), "10.0.0.9", 7, T0.plusSeconds(1), T0.plusSeconds(61)));
        assertThat(throttle.tracked()).isZero();
        assertThat(throttle.closed(T0.plusSeconds(200))).isEmpty();
    }

    @Test
    void eachAddressHasItsOwnWindow() {
        fail("10.0.0.9", 5, T0);
        assertThat(fail("10.0.0.10", 2, T0)).hasSize(2);
        assertThat(throttle.closed(T0.plus(WINDOW))).singleElement()
                .satisfies(s -> assertThat(((AuditEvent.AuthenticationFailuresSuppressed) s).clientAddress()).isEqualTo("10.0.0.9"));
    }

    @Test
    void theSummaryOfAnEndedWindowComesBeforeTheNextRecordedFailureWhenNoSweepRanInBetween() {
        fail("10.0.0.9", 4, T0);
        List<AuditEvent> next = throttle.failed(failure("10.0.0.9", T0.plusSeconds(90)));
        assertThat(next).hasSize(2);
        assertThat(next.get(0)).isEqualTo(new AuditEvent.AuthenticationFailuresSuppressed(T0.plusSeconds(90), "10.0.0.9", 1, T0, T0.plus(WINDOW)));
        assertThat(next.get(1)).isInstanceOf(AuditEvent.AuthenticationFailed.class);
        // A new window began with that failure: two more are recorded, then counted again.
        assertThat(fail("10.0.0.9", 3, T0.plusSeconds(91))).hasSize(2);
    }

    @Test
    void aWindowWithoutSuppressedFailuresEndsWithoutASummary() {
        fail("10.0.0.9", 3, T0);
        assertThat(throttle.closed(T0.plus(WINDOW))).isEmpty();
        assertThat(throttle.tracked()).isZero();
    }

    @Test
    void addressesBeyondTheTrackedOnesShareOneWindowSoSpreadingAFloodDoesNotEscapeTheLimit() {
        for (int i = 0; i < AuthFailureThrottle.MAX_SOURCES; i++) {
            assertThat(fail("10.1." + (i / 256) + "." + (i % 256), 1, T0)).hasSize(1);
        }
        List<AuditEvent> spread = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            spread.addAll(fail("10.2.0." + i, 1, T0.plusSeconds(1)));
        }
        assertThat(spread).hasSize(3);
        assertThat(throttle.tracked()).isEqualTo(AuthFailureThrottle.MAX_SOURCES + 1);
        List<AuditEvent> summaries = throttle.closed(T0.plusSeconds(61));
        assertThat(summaries).singleElement().isEqualTo(
                new AuditEvent.AuthenticationFailuresSuppressed(T0.plusSeconds(61), null, 97, T0.plusSeconds(1), T0.plusSeconds(61)));
    }

    @Test
    void aFullTableMakesRoomByEndingTheWindowsThatAreOver() {
        for (int i = 0; i < AuthFailureThrottle.MAX_SOURCES; i++) {
            fail("10.1." + (i / 256) + "." + (i % 256), 1, T0);
        }
        // The earlier windows are over by now: the new address gets a window of its own.
        assertThat(fail("10.2.0.1", 4, T0.plus(WINDOW))).hasSize(3);
        assertThat(throttle.tracked()).isEqualTo(1);
    }

    @Test
    void refusesALimitThatWouldRecordNothing() {
        assertThatThrownBy(() -> new AuthFailureThrottle(0, WINDOW)).hasMessageContaining("veil.audit.auth-failures.per-source");
        assertThatThrownBy(() -> new AuthFailureThrottle(1, Duration.ZERO)).hasMessageContaining("window");
    }
}
