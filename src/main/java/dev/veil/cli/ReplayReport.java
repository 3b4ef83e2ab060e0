package dev.veil.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code veil policy replay} found: how the candidate policy decides each replayed statement compared with what
 * was recorded, counts per rule before and after, and examples of the statements whose verdict changes.
 */
final class ReplayReport {
    /** One replayed statement: who, when, the text as recorded (literals redacted), and both decisions. */
    record Example(Instant time, String identity, String database, String statement, String wasVerdict, String wasRule,
                   String nowVerdict, String nowRule, String nowReason) {
    }

    private final int examplesKept;
    private long replayed;
    private long unchanged;
    private long otherRule;
    private long truncated;
    private long protocol;
    private long tokenIdentities;
    private final List<Example> newlyRefused = new ArrayList<>();
    private final List<Example> newlyAllowed = new ArrayList<>();
    private long refusedCount;
    private long allowedCount;
    /** rule → {recorded, candidate} */
    private final Map<String, long[]> rules = new TreeMap<>();

    ReplayReport(int examplesKept) {
        this.examplesKept = examplesKept;
    }

    void truncated() {
        truncated++;
    }

    void protocolRefusal() {
        protocol++;
    }

    void tokenIdentity() {
        tokenIdentities++;
    }

    void replayed(Example e) {
        replayed++;
        rules.computeIfAbsent(e.wasRule(), r -> new long[2])[0]++;
        rules.computeIfAbsent(e.nowRule(), r -> new long[2])[1]++;
        boolean wasAllowed = "allow".equals(e.wasVerdict());
        boolean nowAllowed = "allow".equals(e.nowVerdict());
        if (wasAllowed && !nowAllowed) {
            refusedCount++;
            keep(newlyRefused, e);
        } else if (!wasAllowed && nowAllowed) {
            allowedCount++;
            keep(newlyAllowed, e);
        } else if (!e.wasRule().equals(e.nowRule())) {
            otherRule++;
        } else {
            unchanged++;
        }
    }

    private void keep(List<Example> list, Example e) {
        if (list.size() < examplesKept) {
            list.add(e);
        }
    }

    long changes() {
        return refusedCount + allowedCount;
    }

    void printText(PrintWriter out, String header) {
        out.println(header);
        out.printf("  %-36s %8d%n", "statements replayed", replayed);
        out.printf("  %-36s %8d%n", "same verdict, same rule", unchanged);
        out.printf("  %-36s %8d%n", "same verdict, another rule", otherRule);
        out.printf("  %-36s %8d%n", "newly refused", refusedCount);
        out.printf("  %-36s %8d%n", "newly allowed", allowedCount);
        if (truncated > 0) {
            out.printf("  %-36s %8d  (recorded text cut at veil.audit.max-statement-chars)%n", "not replayed: truncated", truncated);
        }
        if (protocol > 0) {
            out.printf("  %-36s %8d  (builtin.protocol: the wire cannot carry them, whatever the policy)%n",
                    "not replayed: protocol refusals", protocol);
        }
        if (tokenIdentities > 0) {
            out.printf("  note: %d statement(s) came from token identities; the audit trail keeps their name, roles and groups, "
                    + "not their claims, so bindings and rules on claims do not see them in the replay%n", tokenIdentities);
        }
        out.println();
        out.printf("  %-36s %8s %10s%n", "rule", "recorded", "candidate");
        rules.forEach((rule, n) -> out.printf("  %-36s %8d %10d%n", rule, n[0], n[1]));
        section(out, "newly refused", refusedCount, newlyRefused);
        section(out, "newly allowed", allowedCount, newlyAllowed);
    }

    private static void section(PrintWriter out, String title, long count, List<Example> examples) {
        if (count == 0) {
            return;
        }
        out.println();
        out.printf("%s: %d (%s)%n", title, count, examples.size() < count ? examples.size() + " examples" : "all");
        for (Example e : examples) {
            out.printf("  %s  %s  %s%n    %s%n    was %s by %s, now %s by %s%n", e.time(), e.identity(), e.database(),
                    e.statement(), e.wasVerdict(), e.wasRule(), e.nowVerdict(), e.nowRule());
            if (e.nowReason() != null) {
                out.printf("    %s%n", e.nowReason());
            }
        }
    }

    Map<String, Object> json(Map<String, Object> header) {
        Map<String, Object> out = new LinkedHashMap<>(header);
        out.put("replayed", replayed);
        out.put("unchanged", unchanged);
        out.put("otherRule", otherRule);
        out.put("newlyRefused", refusedCount);
        out.put("newlyAllowed", allowedCount);
        out.put("notReplayedTruncated", truncated);
        out.put("notReplayedProtocol", protocol);
        out.put("tokenIdentities", tokenIdentities);
        Map<String, Object> perRule = new LinkedHashMap<>();
        rules.forEach((rule, n) -> perRule.put(rule, Map.of("recorded", n[0], "candidate", n[1])));
        out.put("rules", perRule);
        out.put("newlyRefusedExamples", examples(newlyRefused));
        out.put("newlyAllowedExamples", examples(newlyAllowed));
        return out;
    }

    private static List<Map<String, Object>> examples(List<Example> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Example e : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", e.time().toString());
            m.put("identity", e.identity());
            m.put("database", e.database());
            m.put("statement", e.statement());
            m.put("was", Map.of("verdict", e.wasVerdict(), "rule", e.wasRule()));
            Map<String, Object> now = new LinkedHashMap<>();
            now.put("verdict", e.nowVerdict());
            now.put("rule", e.nowRule());
            now.put("reason", e.nowReason());
            m.put("now", now);
            out.add(m);
        }
        return out;
    }
}
