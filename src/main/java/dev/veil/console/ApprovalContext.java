package dev.veil.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.approval.ApprovalRequest;
import dev.veil.audit.AuditQuery;
import dev.veil.audit.AuditSearch;
import dev.veil.audit.AuditSource;
import io.quarkus.qute.TemplateData;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What an approver sees beside a request, read from the audit source the audit page reads
 * ({@link ConsoleAuditSource}): the statement's analysis as it was decided (the {@code statement.decided} record with
 * verdict needs-approval naming the request: kind, relations, columns with their tags, the rule or guardrail and its
 * reason) and the requester's last {@link #ACTIVITY} audit records.
 */
@ApplicationScoped
public class ApprovalContext {
    static final int ACTIVITY = 15;
    /** The needs-approval record is written just after its request is opened; this bounds the search around it. */
    private static final Duration AROUND = Duration.ofMinutes(10);

    @TemplateData
    public record Column(String name, String access, String tags) {
    }

    @TemplateData
    public record Analysis(String kind, List<String> relations, List<Column> columns, String verdict, String rule,
                           String reason, String time) {
    }

    /** The analysis (null when the record is not found) and the activity, or why they could not be read. */
    @TemplateData
    public record Found(Analysis analysis, List<AuditRow> activity, String problem) {
    }

    private final ConsoleAuditSource sources;

    public ApprovalContext(ConsoleAuditSource sources) {
        this.sources = sources;
    }

    Found of(ApprovalRequest r) {
        JsonNode[] first = {null};
        List<AuditRow> activity;
        try (AuditSource source = sources.open()) {
            AuditQuery decided = new AuditQuery(r.identity(), r.created().minus(AROUND), r.created().plus(AROUND), null, null,
                    "needs-approval", null, "statement.decided", 1000);
            new AuditSearch(source).scan(decided, m -> {
                if (first[0] == null && r.id().equals(m.json().path("approval").asText())) {
                    first[0] = m.json();
                }
            });
        } catch (IOException e) {
            return new Found(null, List.of(), "The audit records cannot be read: " + e.getMessage());
        }
        try (AuditSource source = sources.open()) {
            activity = new AuditSearch(source).find(new AuditQuery(r.identity(), null, null, null, null, null, null, null,
                    ACTIVITY, AuditQuery.Order.NEWEST_FIRST, null, null)).stream().map(m -> AuditRow.of(m.json())).toList();
        } catch (IOException e) {
            return new Found(first[0] == null ? null : analysis(first[0]), List.of(),
                    "The requester's audit records cannot be read: " + e.getMessage());
        }
        return new Found(first[0] == null ? null : analysis(first[0]), activity, null);
    }

    private static Analysis analysis(JsonNode record) {
        JsonNode a = record.path("analysis");
        List<String> relations = new ArrayList<>();
        a.path("relations").forEach(n -> relations.add(n.asText()));
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : a.path("columns")) {
            List<String> tags = new ArrayList<>();
            c.path("tags").forEach(t -> tags.add(t.asText()));
            columns.add(new Column(c.path("relation").asText("") + "." + c.path("column").asText(""),
                    c.path("access").asText(""), String.join(", ", tags)));
        }
        JsonNode d = record.path("decision");
        return new Analysis(a.path("kind").asText(""), relations, columns, d.path("verdict").asText(""),
                d.path("rule").asText(""), d.path("reason").asText(""), record.path("time").asText(""));
    }
}
