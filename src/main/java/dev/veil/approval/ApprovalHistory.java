package dev.veil.approval;

import dev.veil.approval.ApprovalRequest.Status;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decided requests (every status but pending), newest first, filtered by requester, status and the time they were
 * made, in pages. A page continues after the last request of the one before (created, id): keyset paging, so
 * requests opened meanwhile neither repeat nor shift a page, as an offset would. The status filtered on is the one
 * {@link ApprovalRequest#statusAt} gives (a pending request past its lifetime, an approval past its window, are
 * expired), computed in the query the same way.
 */
public final class ApprovalHistory {
    /** Filters (null: any) and where the page starts (null: the newest). */
    public record Query(String requester, Status status, Instant from, Instant to, Cursor after, int limit) {
    }

    /** The last request of a page: the next page starts below it. */
    public record Cursor(Instant created, String id) {
        public String text() {
            return created.toString() + "~" + id;
        }

        /** Null for null or a cursor this class did not write. */
        public static Cursor parse(String s) {
            if (s == null || s.indexOf('~') < 0) {
                return null;
            }
            try {
                return new Cursor(Instant.parse(s.substring(0, s.indexOf('~'))), s.substring(s.indexOf('~') + 1));
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** One page, and the cursor of the next (null on the last page). */
    public record Page(List<ApprovalRequest> requests, Cursor next) {
    }

    private final ApprovalStore store;

    public ApprovalHistory(ApprovalStore store) {
        this.store = store;
    }

    public Future<Page> page(Query q, Instant now) {
        String effective = "CASE WHEN status = 'pending' AND expires <= $1 THEN 'expired' "
                + "WHEN status = 'approved' AND mode = 'window' AND window_until <= $1 THEN 'expired' "
                + "WHEN status = 'approved' AND mode IS DISTINCT FROM 'window' AND expires <= $1 THEN 'expired' "
                + "ELSE status END";
        List<Object> args = new ArrayList<>();
        args.add(ApprovalStore.time(now));
        StringBuilder where = new StringBuilder(" WHERE (" + effective + ") <> 'pending'");
        if (q.requester() != null) {
            args.add(q.requester());
            where.append(" AND identity = $").append(args.size());
        }
        if (q.status() != null) {
            args.add(q.status().wire());
            where.append(" AND (").append(effective).append(") = $").append(args.size());
        }
        if (q.from() != null) {
            args.add(ApprovalStore.time(q.from()));
            where.append(" AND created >= $").append(args.size());
        }
        if (q.to() != null) {
            args.add(ApprovalStore.time(q.to()));
            where.append(" AND created < $").append(args.size());
        }
        if (q.after() != null) {
            args.add(ApprovalStore.time(q.after().created()));
            args.add(q.after().id());
            where.append(" AND (created, id) < ($").append(args.size() - 1).append(", $").append(args.size()).append(")");
        }
        args.add(q.limit() + 1);
        String sql = "SELECT " + ApprovalStore.COLUMNS + " FROM " + store.table() + where
                + " ORDER BY created DESC, id DESC LIMIT $" + args.size();
        return store.createTable().compose(v -> store.pool().preparedQuery(sql).execute(Tuple.from(args))).map(rows -> {
            List<ApprovalRequest> out = new ArrayList<>();
            for (Row row : rows) {
                ApprovalRequest r = ApprovalStore.request(row);
                Status s = r.statusAt(now);
                out.add(s == r.status() ? r : r.withStatus(s));
            }
            if (out.size() <= q.limit()) {
                return new Page(out, null);
            }
            List<ApprovalRequest> shown = out.subList(0, q.limit());
            ApprovalRequest last = shown.get(shown.size() - 1);
            return new Page(List.copyOf(shown), new Cursor(last.created(), last.id()));
        });
    }
}
