package dev.veil.admin;

import dev.veil.approval.ApprovalRequest;
import dev.veil.approval.access.AccessGrant;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An access request or grant as the API (and `veil access`) show it; times as ISO-8601 text. */
final class AccessJson {
    private AccessJson() {
    }

    static Map<String, Object> of(AccessGrant g, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", g.id());
        m.put("status", g.statusAt(now).wire());
        m.put("identity", g.identity());
        m.put("environment", g.environment());
        m.put("role", g.role());
        m.put("reason", g.reason());
        m.put("minutes", g.duration().toMinutes());
        m.put("breakGlass", g.breakGlass());
        m.put("approvers", Map.of("roles", g.approverRoles(), "count", g.approversNeeded()));
        m.put("created", text(g.created()));
        m.put("decideBy", text(g.decideBy()));
        m.put("grantedAt", text(g.grantedAt()));
        m.put("expires", text(g.expires()));
        List<Map<String, Object>> votes = new ArrayList<>();
        for (ApprovalRequest.Vote v : g.votes()) {
            Map<String, Object> vote = new LinkedHashMap<>();
            vote.put("approver", v.approver());
            vote.put("decision", v.approve() ? "approve" : "deny");
            vote.put("reason", v.reason());
            vote.put("time", text(v.time()));
            votes.add(vote);
        }
        m.put("votes", votes);
        m.put("revokedBy", g.revokedBy());
        m.put("revokeReason", g.revokeReason());
        return m;
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
