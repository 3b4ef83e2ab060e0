package dev.veil.policy;

import dev.veil.policy.YamlTree.Entry;
import dev.veil.policy.YamlTree.Mapping;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a require-approval outcome says of its approvers and wait: {@code approvers: {roles: [admin, dba],
 * count: 2}} (defaults: role admin, one approver) and {@code timeout: 10m} (default: veil.approvals.timeout).
 */
final class ApprovalSection {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})\\s*(s|m|h)");
    /** No client waits a day for a reply: longer waits are mistakes (the request itself lives on, see docs). */
    private static final Duration LONGEST_WAIT = Duration.ofHours(12);
    private static final int MOST_APPROVERS = 10;

    private ApprovalSection() {
    }

    /** The demand, or null after recording a mistake. */
    static ApprovalDemand demand(PolicyParser p, Mapping m, String where) {
        List<String> roles = ApprovalDemand.DEFAULT.roles();
        int count = ApprovalDemand.DEFAULT.count();
        boolean ok = true;
        Entry approvers = m.entries().get("approvers");
        if (approvers != null) {
            Mapping a = p.mapping(approvers.value(), where + ": approvers");
            if (a == null) {
                return null;
            }
            p.keys(a, Set.of("roles", "count"), where + ": approvers");
            if (a.entries().containsKey("roles")) {
                roles = p.names(a, "roles", where + ": approvers");
                if (roles.isEmpty()) {
                    p.mistake(a.entries().get("roles").value().at(), where + ": approvers: roles: name at least one role "
                            + "whose holders may approve (e.g. [admin])");
                    ok = false;
                }
            }
            Entry c = a.entries().get("count");
            if (c != null) {
                String v = p.text(c.value(), where + ": approvers: count");
                count = v == null ? -1 : count(v);
                if (count < 1) {
                    if (v != null) {
                        p.mistake(c.value().at(), where + ": approvers: count: \"" + v + "\" is not a number of approvers; "
                                + "use a whole number from 1 to " + MOST_APPROVERS);
                    }
                    ok = false;
                }
            }
        }
        Duration timeout = null;
        Entry t = m.entries().get("timeout");
        if (t != null) {
            String v = p.text(t.value(), where + ": timeout");
            timeout = v == null ? null : duration(v);
            if (timeout == null) {
                if (v != null) {
                    p.mistake(t.value().at(), where + ": timeout: \"" + v + "\" is not a wait; write seconds, minutes or "
                            + "hours such as 90s, 5m or 1h (at most 12h)");
                }
                ok = false;
            }
        }
        return ok ? new ApprovalDemand(roles, count, timeout) : null;
    }

    private static int count(String v) {
        try {
            int n = Integer.parseInt(v.strip());
            return n >= 1 && n <= MOST_APPROVERS ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** 90s, 5m, 1h; null when it is none of those, zero, or longer than {@link #LONGEST_WAIT}. */
    static Duration duration(String v) {
        Matcher m = DURATION.matcher(v.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        return d.isZero() || d.compareTo(LONGEST_WAIT) > 0 ? null : d;
    }
}
