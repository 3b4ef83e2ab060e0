package dev.veil.approval;

import dev.veil.approval.ApprovalLinks.Link;
import dev.veil.approval.ApprovalRequest.Mode;
import dev.veil.approval.ApprovalStore.Voted;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * Single use of approve / deny links, shared by every instance: a link's nonce becomes a row of
 * {@code <veil.approvals.table>_links} in the same transaction as the vote it carries, so two pods (or two clicks)
 * cannot both decide with one link: the second INSERT waits for the first's transaction and then finds the row. A
 * vote the store refuses (self-approval, no approver role, not pending) rolls the nonce back: nothing was decided,
 * and another approver may still use the link.
 */
public final class LinkVotes {
    /** What using a link came to: the vote, or {@code usedBy} when the link had been used already. */
    public record Used(Voted voted, String usedBy, Instant usedAt) {
    }

    private final ApprovalStore store;
    private final String table;
    private Future<Void> ready;

    public LinkVotes(ApprovalStore store) {
        this.store = store;
        this.table = store.table() + "_links";
    }

    private synchronized Future<Void> createTable() {
        if (ready == null || ready.failed()) {
            ready = store.createTable().compose(v -> store.pool().query("CREATE TABLE IF NOT EXISTS " + table
                    + " (nonce text PRIMARY KEY, request text NOT NULL, action text NOT NULL, used_by text NOT NULL, "
                    + "used_at timestamptz NOT NULL)").execute()).mapEmpty();
        }
        return ready;
    }

    /** Who used the link with this nonce and when, or null while it is unused. */
    public Future<Used> usedBy(String nonce) {
        return createTable().compose(v -> store.pool().preparedQuery("SELECT used_by, used_at FROM " + table
                + " WHERE nonce = $1").execute(Tuple.of(nonce))).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    var row = rows.iterator().next();
                    return new Used(null, row.getString("used_by"), row.getOffsetDateTime("used_at").toInstant());
                });
    }

    /** Records the link's nonce as used by {@code approver} and votes, in one transaction; see the class comment. */
    public Future<Used> vote(Link link, String approver, Set<String> approverRoles, Mode mode, Duration window,
                             String reason, Instant now) {
        boolean approve = link.action() == ApprovalLinks.Action.APPROVE;
        return createTable().compose(v -> store.pool().withTransaction(c -> c.preparedQuery("INSERT INTO " + table
                                + " (nonce, request, action, used_by, used_at) VALUES ($1, $2, $3, $4, $5) "
                                + "ON CONFLICT (nonce) DO NOTHING RETURNING nonce")
                        .execute(Tuple.of(link.nonce(), link.id(), link.action().wire(), approver,
                                OffsetDateTime.ofInstant(now, ZoneOffset.UTC)))
                        .compose(rows -> {
                            if (rows.size() == 0) {
                                return Future.<Voted>failedFuture(new AlreadyUsed());
                            }
                            return store.vote(c, link.id(), approver, approverRoles, approve, mode, window, reason, now)
                                    .compose(voted -> voted.request() == null
                                            ? Future.<Voted>failedFuture(new Refused(voted)) : Future.succeededFuture(voted));
                        })))
                .map(voted -> new Used(voted, null, null))
                .recover(e -> {
                    if (e instanceof Refused r) {
                        return Future.succeededFuture(new Used(r.voted, null, null));
                    }
                    if (e instanceof AlreadyUsed) {
                        return usedBy(link.nonce());
                    }
                    return Future.<Used>failedFuture(e);
                });
    }

    /** Ends the transaction without the nonce: nothing was decided. */
    private static final class Refused extends RuntimeException {
        final transient Voted voted;

        Refused(Voted voted) {
            super(voted.problem(), null, false, false);
            this.voted = voted;
        }
    }

    private static final class AlreadyUsed extends RuntimeException {
        AlreadyUsed() {
            super("link used already", null, false, false);
        }
    }
}
