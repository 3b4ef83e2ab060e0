package dev.veil.session;

import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-identity hourly probing budget, on a clock the test moves. */
class ProbingBudgetTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:15:00Z"));
    private final ProbingBudget budget = new ProbingBudget(clock);

    @Test
    void probesWithinTheBudgetPassAndTheNextIsRefusedUntilTheHourEnds() {
        assertThat(budget.charge("ann", 2)).isNull();
        assertThat(budget.charge("ann", 2)).isNull();
        assertThat(budget.charge("ann", 2)).isEqualTo(Instant.parse("2026-12-06T11:00:00Z"));
        clock.advance(Duration.ofMinutes(44));
        assertThat(budget.charge("ann", 2)).isEqualTo(Instant.parse("2026-12-06T11:00:00Z"));
        clock.advance(Duration.ofMinutes(1));
        assertThat(budget.charge("ann", 2)).isNull();
    }

    @Test
    void eachIdentityHasItsOwnBudget() {
        assertThat(budget.charge("ann", 1)).isNull();
        assertThat(budget.charge("ann", 1)).isNotNull();
        assertThat(budget.charge("bob", 1)).isNull();
    }

    @Test
    void aBudgetOfZeroIsNoBudget() {
        for (int i = 0; i < 1000; i++) {
            assertThat(budget.charge("ann", 0)).isNull();
        }
    }

    @Test
    void refusedProbesDoNotCount() {
        assertThat(budget.charge("ann", 1)).isNull();
        assertThat(budget.charge("ann", 1)).isNotNull();
        assertThat(budget.charge("ann", 1)).isNotNull();
        clock.advance(Duration.ofHours(1));
        assertThat(budget.charge("ann", 2)).isNull();
        assertThat(budget.charge("ann", 2)).isNull();
        assertThat(budget.charge("ann", 2)).isNotNull();
    }
}
