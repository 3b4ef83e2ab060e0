package dev.veil.admin;

import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.Approvals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An approval request as the API (and `veil approvals`) show it; times as ISO-8601 text. */
final class ApprovalJson {
    private ApprovalJson() {
    }

    static Map<String, Object> of(ApprovalRequest r, Approvals approvals) {
        Instant now = approvals.clock().instant();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("status", r.statusAt(now).wire());
        m.put("identity", r.identity());
        m.put("owner", r.owner());
        m.put("roles", r.roles());
        m.put("environment", r.environment());
        m.put("upstream", r.upstream());
        m.put("database", r.database());
        m.put("dialect", r.dialect());
        m.put("statement", r.statement());
        m.put("fingerprint", r.fingerprint());
        m.put("digest", r.digest());
        m.put("rule", r.rule());
        m.put("reason", r.reason());
        m.put("approvers", Map.of("roles", r.approverRoles(), "count", r.approversNeeded()));
        m.put("created", text(r.created()));
        m.put("expires", text(r.expires()));
        m.put("mode", r.mode() == null ? null : r.mode().wire());
        m.put("windowUntil", text(r.windowUntil()));
        List<Map<String, Object>> votes = new ArrayList<>();
        for (ApprovalRequest.Vote v : r.votes()) {
            Map<String, Object> vote = new LinkedHashMap<>();
            vote.put("approver", v.approver());
            vote.put("decision", v.approve() ? "approve" : "deny");
            vote.put("reason", v.reason());
            vote.put("time", text(v.time()));
            votes.add(vote);
        }
        m.put("votes", votes);
        m.put("link", approvals.link(r.id()));
        return m;
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
