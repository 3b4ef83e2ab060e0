package dev.veil.session;

import dev.veil.identity.Identity;
import dev.veil.policy.Decision;
import dev.veil.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An agent's rows per hour: the rows its statements returned or changed, over all its sessions, per clock hour. */
class AgentRateTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:15:00Z"));
    private final AgentRate rate = new AgentRate(clock);

    private static Identity agent(String client, int rowsPerHour) {
        return new Identity(client, List.of("analyst"), Identity.Source.SERVICE_ACCOUNT, "kc", null, List.of(), Map.of(),
                Identity.Kind.AGENT, new Identity.Machine(client, "alice@example.com", null, false, 0, rowsPerHour, null));
    }

    @Test
    void pastItsRowsPerHourTheNextStatementIsRefusedUntilTheHourEnds() {
        Identity bot = agent("bot", 100);
        assertThat(rate.charge(bot)).isNull();
        rate.rows(bot, 60);
        assertThat(rate.charge(bot)).isNull();
        rate.rows(bot, 40);
        Decision.Deny refused = rate.charge(bot);
        assertThat(refused).isNotNull();
        assertThat(refused.rule()).isEqualTo(AgentRate.ROWS_RULE);
        assertThat(refused.reason()).contains("\"bot\"").contains("100 rows this hour").contains("limit of 100")
                .contains("veil.agents.clients.bot.rows-per-hour").contains("2026-12-06T11:00:00Z");
        // Another client of the same limit is counted apart.
        assertThat(rate.charge(agent("other", 100))).isNull();
        clock.advance(Duration.ofMinutes(45));
        assertThat(rate.charge(bot)).as("a new hour").isNull();
    }

    @Test
    void withoutALimitRowsAreNotCounted() {
        Identity bot = agent("free", 0);
        rate.rows(bot, 1_000_000);
        assertThat(rate.charge(bot)).isNull();
    }
}
