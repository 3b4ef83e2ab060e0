package dev.veil.session;

import dev.veil.error.ErrorCode;
import dev.veil.identity.Identity;
import dev.veil.policy.Decision;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Statements per minute and rows per hour of each machine client (veil.agents.clients.&lt;id&gt;.statements-per-minute,
 * rows-per-hour), over all its sessions, wire and MCP alike. The window is the clock's minute: a runaway agent loop is stopped within it,
 * and the refusal says when it may go on. Refused statements count too, so a loop of refusals is slowed as well.
 */
public final class AgentRate {
    /** The rule named when a client is over its rate. */
    public static final String RULE = "builtin.agent-rate-limit";
    /** The rule named when a client is over its rows per hour. */
    public static final String ROWS_RULE = "builtin.agent-rows-per-hour";
    private static final int SWEEP_AT = 10_000;

    private final Clock clock;
    private final Map<String, Window> used = new ConcurrentHashMap<>();

    private final Map<String, Hour> rowsUsed = new ConcurrentHashMap<>();

    private record Window(long minute, int count) {
    }

    private record Hour(long hour, long rows) {
    }

    public AgentRate(Clock clock) {
        this.clock = clock;
    }

    /**
     * Null when {@code identity} may run one more statement now (it is counted), else the refusal: past its rows
     * per hour, or its statements per minute.
     */
    Decision.Deny charge(Identity identity) {
        Decision.Deny overRows = overRows(identity);
        return overRows != null ? overRows : perMinute(identity);
    }

    /**
     * The rows a statement of {@code identity} returned or changed, counted when its record is completed: the next
     * statement past veil.agents.clients.&lt;id&gt;.rows-per-hour is refused until the clock's hour ends (the one
     * that crosses it still completes: its rows are known only once they have gone).
     */
    public void rows(Identity identity, long n) {
        Identity.Machine m = identity.machine();
        if (m == null || m.rowsPerHour() <= 0 || m.clientId() == null || n <= 0) {
            return;
        }
        long hour = clock.instant().getEpochSecond() / 3600;
        if (rowsUsed.size() > SWEEP_AT) {
            rowsUsed.values().removeIf(h -> h.hour() != hour);
        }
        rowsUsed.merge(m.clientId(), new Hour(hour, n), (was, add) -> was.hour() == hour ? new Hour(hour, was.rows() + n) : add);
    }

    private Decision.Deny overRows(Identity identity) {
        Identity.Machine m = identity.machine();
        if (m == null || m.rowsPerHour() <= 0 || m.clientId() == null) {
            return null;
        }
        long hour = clock.instant().getEpochSecond() / 3600;
        Hour h = rowsUsed.get(m.clientId());
        if (h == null || h.hour() != hour || h.rows() < m.rowsPerHour()) {
            return null;
        }
        return new Decision.Deny(ROWS_RULE, ErrorCode.POLICY_DENIED, ROWS_RULE + ": client \"" + m.clientId() + "\" has "
                + "had " + h.rows() + " rows this hour, returned or changed, over its limit of " + m.rowsPerHour()
                + " (veil.agents.clients." + m.clientId() + ".rows-per-hour); it may go on at "
                + Instant.ofEpochSecond((hour + 1) * 3600) + ". Ask for fewer rows, or ask an administrator to raise it");
    }

    private Decision.Deny perMinute(Identity identity) {
        Identity.Machine m = identity.machine();
        if (m == null || m.statementsPerMinute() <= 0 || m.clientId() == null) {
            return null;
        }
        int limit = m.statementsPerMinute();
        long minute = clock.instant().getEpochSecond() / 60;
        if (used.size() > SWEEP_AT) {
            used.values().removeIf(w -> w.minute() != minute);
        }
        boolean[] over = {false};
        used.compute(m.clientId(), (k, w) -> {
            Window now = w == null || w.minute() != minute ? new Window(minute, 0) : w;
            if (now.count() >= limit) {
                over[0] = true;
                return now;
            }
            return new Window(minute, now.count() + 1);
        });
        if (!over[0]) {
            return null;
        }
        return new Decision.Deny(RULE, ErrorCode.POLICY_DENIED, RULE + ": client \"" + m.clientId() + "\" has run its "
                + limit + " statements this minute (veil.agents.clients." + m.clientId() + ".statements-per-minute); it may"
                + " go on at " + Instant.ofEpochSecond((minute + 1) * 60) + ". Slow down, or ask an administrator to raise it");
    }
}
