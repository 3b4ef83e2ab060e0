package dev.veil.approval;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * One statement held for approval, as stored in the control-plane table. It is bound to who asked
 * ({@code identity}), where ({@code environment}, {@code upstream}, {@code database}) and exactly what
 * ({@code digest}: SHA-256 of the text and parameter values, see {@link StatementDigest}); only the text as the
 * audit trail shows it ({@code statement}, literals redacted unless the audit keeps them) is stored.
 * {@code votes} are the approvers' and deniers' in the order given; {@code mode} and {@code windowUntil} are set
 * once approved. {@code owner}: for an AI agent's request, the person its configuration names as its owner, who may
 * decide it besides the rule's approvers (null for a person's request).
 */
public record ApprovalRequest(String id, String identity, List<String> roles, String environment, String upstream,
                              String database, String dialect, String fingerprint, String statement, String digest,
                              String rule, String reason, List<String> approverRoles, int approversNeeded,
                              Instant created, Instant expires, Status status, Mode mode, Instant windowUntil,
                              List<Vote> votes, String owner) {
    public ApprovalRequest {
        roles = List.copyOf(roles);
        approverRoles = List.copyOf(approverRoles);
        votes = List.copyOf(votes);
    }

    /** A request without an owner (a person's statement). */
    public ApprovalRequest(String id, String identity, List<String> roles, String environment, String upstream,
                           String database, String dialect, String fingerprint, String statement, String digest,
                           String rule, String reason, List<String> approverRoles, int approversNeeded,
                           Instant created, Instant expires, Status status, Mode mode, Instant windowUntil,
                           List<Vote> votes) {
        this(id, identity, roles, environment, upstream, database, dialect, fingerprint, statement, digest, rule, reason,
                approverRoles, approversNeeded, created, expires, status, mode, windowUntil, votes, null);
    }

    /**
     * Whether {@code who}, holding {@code heldRoles}, may decide this request: the owner of the agent that asked
     * (veil.agents.clients.&lt;id&gt;.owner), or a holder of one of the rule's roles; never the requester.
     */
    public boolean decidableBy(String who, Collection<String> heldRoles) {
        if (identity.equals(who)) {
            return false;
        }
        return who.equals(owner) || approverRoles.stream().anyMatch(heldRoles::contains);
    }

    public enum Status {
        PENDING, APPROVED, DENIED, EXPIRED, USED;

        public String wire() {
            return name().toLowerCase();
        }

        public static Status parse(String s) {
            return valueOf(s.toUpperCase());
        }
    }

    /** once: the approval is used by one run; window: identical re-runs until {@code windowUntil}. */
    public enum Mode {
        ONCE, WINDOW;

        public String wire() {
            return name().toLowerCase();
        }

        /** null when {@code s} names no mode. */
        public static Mode parse(String s) {
            if (s == null) {
                return null;
            }
            return switch (s.strip().toLowerCase()) {
                case "once" -> ONCE;
                case "window" -> WINDOW;
                default -> null;
            };
        }
    }

    /** An approver's (or denier's) decision. */
    public record Vote(String approver, boolean approve, String reason, Instant time) {
    }

    /**
     * The status as of {@code now}: a pending request past its lifetime, a once-approval never used within it,
     * and a window that has closed are expired, whatever the row says.
     */
    public Status statusAt(Instant now) {
        if (status == Status.PENDING && !now.isBefore(expires)) {
            return Status.EXPIRED;
        }
        if (status == Status.APPROVED) {
            Instant until = mode == Mode.WINDOW ? windowUntil : expires;
            if (until != null && !now.isBefore(until)) {
                return Status.EXPIRED;
            }
        }
        return status;
    }

    public ApprovalRequest withStatus(Status s) {
        return new ApprovalRequest(id, identity, roles, environment, upstream, database, dialect, fingerprint, statement,
                digest, rule, reason, approverRoles, approversNeeded, created, expires, s, mode, windowUntil, votes, owner);
    }

    /** Who approved, for messages: "lead, ops". */
    public String approvers() {
        return String.join(", ", votes.stream().filter(Vote::approve).map(Vote::approver).toList());
    }

    /** The last denial, or null. */
    public Vote denial() {
        for (int i = votes.size() - 1; i >= 0; i--) {
            if (!votes.get(i).approve()) {
                return votes.get(i);
            }
        }
        return null;
    }
}
