package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The affected-rows ceilings a replay changes, for statements allowed before and under the candidate. The ceiling
 * a statement ran under is not in its {@code statement.decided} record (it applies once the statement runs): its
 * {@code statement.completed} record carries the ceiling's decision, with the ceiling in its reason; a statement
 * completed without one ran under none.
 */
final class CeilingChanges {
    static final String RULE = "guardrail.affected-rows-ceiling";
    private static final Pattern MAX_ROWS = Pattern.compile("ceiling of (\\d+)");
    /** A replayed statement waiting for its completion record: the candidate's ceiling (null: none). */
    private record Waiting(ReplayReport.Example example, Long candidate) {
    }

    private final int examplesKept;
    private final Map<String, Waiting> waiting = new HashMap<>();
    private long added;
    private long removed;
    private long changed;
    private final List<String> examples = new ArrayList<>();

    CeilingChanges(int examplesKept) {
        this.examplesKept = examplesKept;
    }

    /** A statement allowed before and now, {@code candidate} the candidate's max-rows (null: no ceiling). */
    void decided(long sessionId, long statementId, ReplayReport.Example e, Long candidate) {
        waiting.put(sessionId + ":" + statementId, new Waiting(e, candidate));
    }

    /** A statement.completed record: the ceiling it ran under, compared with the candidate's. */
    void completed(JsonNode r) {
        Waiting w = waiting.remove(r.path("sessionId").asLong() + ":" + r.path("statementId").asLong());
        if (w != null) {
            compare(w, recorded(r.path("decision")));
        }
    }

    /** The end of the trail: statements without a completion record ran under no ceiling the trail shows. */
    void finish() {
        waiting.values().forEach(w -> compare(w, null));
        waiting.clear();
    }

    private static Long recorded(JsonNode decision) {
        if (!RULE.equals(decision.path("rule").asText())) {
            for (JsonNode o : decision.path("observed")) {
                if (RULE.equals(o.path("rule").asText())) {
                    return maxRows(o.path("reason").asText(""));
                }
            }
            return null;
        }
        return maxRows(decision.path("reason").asText(""));
    }

    private static Long maxRows(String reason) {
        Matcher m = MAX_ROWS.matcher(reason);
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    private void compare(Waiting w, Long was) {
        Long now = w.candidate();
        if (was == null && now == null || was != null && was.equals(now)) {
            return;
        }
        if (was == null) {
            added++;
        } else if (now == null) {
            removed++;
        } else {
            changed++;
        }
        if (examples.size() < examplesKept) {
            ReplayReport.Example e = w.example();
            examples.add(e.time() + "  " + e.identity() + "  " + e.database() + "\n    " + e.statement() + "\n    ceiling was "
                    + (was == null ? "none" : was + " rows") + ", now " + (now == null ? "none" : now + " rows"));
        }
    }

    void printText(PrintWriter out) {
        if (added + removed + changed == 0) {
            return;
        }
        out.println();
        out.printf("affected-rows ceiling: %d newly under one, %d no longer, %d under another max-rows%n", added, removed, changed);
        examples.forEach(e -> out.println("  " + e));
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("newlyUnderCeiling", added);
        m.put("noLongerUnderCeiling", removed);
        m.put("otherMaxRows", changed);
        return m;
    }
}
