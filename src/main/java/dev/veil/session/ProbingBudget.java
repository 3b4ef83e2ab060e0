package dev.veil.session;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The probing budget (policy {@code masking.probing-budget}), shared by all sessions: how many statements with
 * probes (filters, joins, groupings on masked columns that a masking rule allows) each identity has run in the
 * current hour. The window is fixed: the clock's hour (UTC), so everyone's budget resets on the hour; a loop of
 * {@code WHERE ssn = …} guesses is stopped after the budget, whatever the number of sessions it uses.
 */
public final class ProbingBudget {
    private static final long HOUR = 3600;
    /** Identities past which windows of earlier hours are swept. */
    private static final int SWEEP_AT = 10_000;

    private final Clock clock;
    private final Map<String, Window> used = new ConcurrentHashMap<>();

    private record Window(long hour, int count) {
    }

    public ProbingBudget(Clock clock) {
        this.clock = clock;
    }

    /**
     * Counts one statement with probes of {@code identity} against {@code budget} per hour (0: no budget).
     *
     * @return null when it is within the budget (and counted), or when the budget resets when it is over (not counted)
     */
    Instant charge(String identity, int budget) {
        if (budget <= 0) {
            return null;
        }
        long hour = clock.instant().getEpochSecond() / HOUR;
        if (used.size() > SWEEP_AT) {
            used.values().removeIf(w -> w.hour() != hour);
        }
        boolean[] over = {false};
        used.compute(identity, (k, w) -> {
            Window now = w == null || w.hour() != hour ? new Window(hour, 0) : w;
            if (now.count() >= budget) {
                over[0] = true;
                return now;
            }
            return new Window(hour, now.count() + 1);
        });
        return over[0] ? Instant.ofEpochSecond((hour + 1) * HOUR) : null;
    }
}
