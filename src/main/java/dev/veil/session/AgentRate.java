package dev.veil.session;

import dev.veil.error.ErrorCode;
import dev.veil.identity.Identity;
import dev.veil.policy.Decision;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Statements per minute of each machine client (veil.agents.clients.&lt;id&gt;.statements-per-minute), over all
 * its sessions, wire and MCP alike. The window is the clock's minute: a runaway agent loop is stopped within it,
 * and the refusal says when it may go on. Refused statements count too, so a loop of refusals is slowed as well.
 */
public final class AgentRate {
    /** The rule named when a client is over its rate. */
    public static final String RULE = "builtin.agent-rate-limit";
    private static final int SWEEP_AT = 10_000;

    private final Clock clock;
    private final Map<String, Window> used = new ConcurrentHashMap<>();

    private record Window(long minute, int count) {
    }

    public AgentRate(Clock clock) {
        this.clock = clock;
    }

    /** Null when {@code identity} may run one more statement now (it is counted), else the refusal. */
    Decision.Deny charge(Identity identity) {
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
