package dev.veil.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.audit.AuditQuery;
import io.quarkus.qute.TemplateData;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** One audit record as a row of the console's search results. */
@TemplateData
public record AuditRow(long seq, String time, String type, String identity, String verdict, String rule, String summary) {
    private static final int SHOWN = 300;

    static AuditRow of(JsonNode r) {
        Instant t = AuditQuery.timeOf(r);
        JsonNode d = r.path("decision");
        return new AuditRow(r.path("seq").asLong(), t == null ? "" : t.truncatedTo(ChronoUnit.SECONDS).toString(), r.path("type").asText(""),
                nullToEmpty(AuditQuery.identityOf(r)), d.path("verdict").asText(""), d.path("rule").asText(""), summary(r));
    }

    /** What the record is about: the statement, an admin action and its target, or the reason of a failure. */
    private static String summary(JsonNode r) {
        String s;
        if (r.hasNonNull("statement")) {
            s = r.get("statement").asText();
        } else if (r.hasNonNull("action")) {
            s = r.get("action").asText() + " " + r.path("target").asText("") + (r.path("detail").isObject() && r.get("detail").size() > 0
                    ? " " + r.get("detail") : "");
        } else if (r.hasNonNull("reason")) {
            s = r.get("reason").asText();
        } else if (r.hasNonNull("outcome")) {
            s = r.get("outcome").asText() + " " + r.path("commandTag").asText("");
        } else {
            s = "";
        }
        return s.length() > SHOWN ? s.substring(0, SHOWN) + "…" : s;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
