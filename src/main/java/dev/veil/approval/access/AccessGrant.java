package dev.veil.approval.access;

import dev.veil.approval.ApprovalRequest.Vote;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One just-in-time access request and, once approved (or taken at once: {@code breakGlass}), the grant it became:
 * {@code identity} holds policy role {@code role} in {@code environment} from {@code grantedAt} until
 * {@code expires}. A pending request can be decided until {@code decideBy}. {@code votes} are the approvers' and
 * deniers' in order; {@code revokedBy} and {@code revokeReason} are set when it was revoked.
 */
public record AccessGrant(String id, String identity, String environment, String role, String reason, Duration duration,
                          boolean breakGlass, List<String> approverRoles, int approversNeeded, Instant created,
                          Instant decideBy, Status status, Instant grantedAt, Instant expires, List<Vote> votes,
                          String revokedBy, String revokeReason) {
    public AccessGrant {
        approverRoles = List.copyOf(approverRoles);
        votes = List.copyOf(votes);
    }

    public enum Status {
        /** Waiting for approvers. */
        PENDING,
        /** Approved or taken by break-glass: in force until it expires. */
        GRANTED,
        DENIED,
        /** Ended before its time by an administrator, an approver or its holder. */
        REVOKED,
        /** A pending request nobody decided in time, or a grant past its end. */
        EXPIRED;

        public String wire() {
            return name().toLowerCase();
        }

        /** null when {@code s} names no status. */
        public static Status parse(String s) {
            for (Status v : values()) {
                if (v.wire().equals(s == null ? null : s.strip().toLowerCase())) {
                    return v;
                }
            }
            return null;
        }
    }

    /** The status as of {@code now}: a request past {@code decideBy} and a grant past {@code expires} are expired. */
    public Status statusAt(Instant now) {
        if (status == Status.PENDING && !now.isBefore(decideBy)) {
            return Status.EXPIRED;
        }
        if (status == Status.GRANTED && expires != null && !now.isBefore(expires)) {
            return Status.EXPIRED;
        }
        return status;
    }

    /** Whether it gives its role at {@code now}. */
    public boolean inForce(Instant now) {
        return statusAt(now) == Status.GRANTED;
    }

    public AccessGrant withStatus(Status s) {
        return new AccessGrant(id, identity, environment, role, reason, duration, breakGlass, approverRoles,
                approversNeeded, created, decideBy, s, grantedAt, expires, votes, revokedBy, revokeReason);
    }

    /** Who approved, for messages: "lead, ops". */
    public String approvers() {
        return String.join(", ", votes.stream().filter(Vote::approve).map(Vote::approver).toList());
    }
}
