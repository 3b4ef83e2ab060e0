package dev.veil.approval.access;

import dev.veil.approval.ApprovalRequest.Vote;
import dev.veil.approval.access.AccessGrant.Status;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Access requests and grants in a control-plane PostgreSQL table beside the approvals' (created the same way, on
 * first use, IF NOT EXISTS), through the reactive client: every Veil instance pointed at it sees the same grants.
 * Votes and revocations lock their row (SELECT … FOR UPDATE), so two approvers or pods cannot both decide a request
 * on a state the other changed.
 */
public final class AccessStore {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    private static final String COLUMNS = "id, identity, environment, role, reason, duration_seconds, break_glass, "
            + "approver_roles, approvers_needed, created, decide_by, status, granted_at, expires, votes, revoked_by, "
            + "revoke_reason";

    private final Pool pool;
    private final String table;
    private Future<Void> ready;

    public AccessStore(Pool pool, String table) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("veil.access.table must be a plain (optionally schema-qualified) "
                    + "lower-case name: " + table);
        }
        this.pool = pool;
        this.table = table;
    }

    /** Creates the table if missing, once; tried again after a failure. */
    public synchronized Future<Void> createTable() {
        if (ready == null || ready.failed()) {
            ready = pool.query("CREATE TABLE IF NOT EXISTS " + table + " (id text PRIMARY KEY, identity text NOT NULL, "
                            + "environment text NOT NULL, role text NOT NULL, reason text NOT NULL, "
                            + "duration_seconds bigint NOT NULL, break_glass boolean NOT NULL, approver_roles text[] NOT NULL, "
                            + "approvers_needed int NOT NULL, created timestamptz NOT NULL, decide_by timestamptz NOT NULL, "
                            + "status text NOT NULL, granted_at timestamptz, expires timestamptz, "
                            + "votes text NOT NULL DEFAULT '[]', revoked_by text, revoke_reason text)").execute()
                    .compose(r -> pool.query("CREATE INDEX IF NOT EXISTS " + table.replace('.', '_') + "_holder ON " + table
                            + " (identity, environment, status)").execute())
                    .mapEmpty();
        }
        return ready;
    }

    public Future<AccessGrant> insert(AccessGrant g) {
        return createTable().compose(v -> pool.preparedQuery("INSERT INTO " + table + " (" + COLUMNS + ") VALUES ($1, $2, "
                        + "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
                .execute(Tuple.tuple(Arrays.asList(g.id(), g.identity(), g.environment(), g.role(), g.reason(),
                        g.duration().toSeconds(), g.breakGlass(), g.approverRoles().toArray(new String[0]),
                        g.approversNeeded(), time(g.created()), time(g.decideBy()), g.status().wire(), time(g.grantedAt()),
                        time(g.expires()), votes(g.votes()), g.revokedBy(), g.revokeReason())))
                .map(x -> g));
    }

    public Future<AccessGrant> get(String id) {
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : grant(rows.iterator().next())));
    }

    /** The grants in force for {@code identity} in {@code environment} at {@code now}, soonest to end first. */
    public Future<List<AccessGrant>> active(String identity, String environment, Instant now) {
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE identity = $1 "
                        + "AND environment = $2 AND status = 'granted' AND expires > $3 ORDER BY expires")
                .execute(Tuple.of(identity, environment, time(now))))
                .map(rows -> {
                    List<AccessGrant> out = new ArrayList<>();
                    rows.forEach(r -> out.add(grant(r)));
                    return out;
                });
    }

    /** The rows of {@code ids} as they are now (missing ids are absent from the map). */
    public Future<Map<String, AccessGrant>> byIds(Set<String> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(new String[0]))))
                .map(rows -> {
                    Map<String, AccessGrant> out = new LinkedHashMap<>();
                    rows.forEach(r -> {
                        AccessGrant g = grant(r);
                        out.put(g.id(), g);
                    });
                    return out;
                });
    }

    /** Newest first; {@code status} null for all; rows past their time count as expired. */
    public Future<List<AccessGrant>> list(Status status, int limit, Instant now) {
        String where = status == null ? "" : status == Status.EXPIRED
                ? " WHERE status IN ('pending', 'granted', 'expired')" : " WHERE status = $2";
        Tuple args = status == null || status == Status.EXPIRED ? Tuple.of(limit) : Tuple.of(limit, status.wire());
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table + where
                        + " ORDER BY created DESC LIMIT $1").execute(args))
                .map(rows -> {
                    List<AccessGrant> out = new ArrayList<>();
                    for (Row row : rows) {
                        AccessGrant g = grant(row);
                        Status s = g.statusAt(now);
                        if (status == null || s == status) {
                            out.add(s == g.status() ? g : g.withStatus(s));
                        }
                    }
                    return out;
                });
    }

    /** What a vote or a revocation came to: the row after it, or why it was refused (an HTTP status and a message). */
    public record Changed(AccessGrant grant, int refusal, String problem) {
        static Changed refused(int status, String problem) {
            return new Changed(null, status, problem);
        }
    }

    /**
     * An approver's vote, under a row lock. Refused: no such request (404), not pending (409), the requester's own
     * (403: self-approval), an approver without one of the request's approver roles (403), a second vote (409).
     * Granted from {@code now} for its duration once enough distinct approvers approved; denied by the first denial.
     */
    public Future<Changed> vote(String id, String approver, Set<String> approverRoles, boolean approve, String reason,
                                Instant now) {
        return createTable().compose(ready -> pool.withTransaction(c -> locked(c, id).compose(g -> {
            if (g == null) {
                return Future.succeededFuture(Changed.refused(404, "no access request " + id));
            }
            Status s = g.statusAt(now);
            if (s != Status.PENDING) {
                return Future.succeededFuture(Changed.refused(409, "access request " + id + " is " + s.wire()
                        + ", not pending; nothing to decide"));
            }
            if (g.identity().equals(approver)) {
                return Future.succeededFuture(Changed.refused(403, "\"" + approver + "\" asked for access request " + id
                        + " and cannot decide it: self-approval is refused; another approver must decide"));
            }
            if (g.approverRoles().stream().noneMatch(approverRoles::contains)) {
                return Future.succeededFuture(Changed.refused(403, "access request " + id + " (role " + g.role()
                        + ") is decided by holders of role " + String.join(" or ", g.approverRoles()) + "; \""
                        + approver + "\" holds none of them"));
            }
            if (g.votes().stream().anyMatch(v -> v.approver().equals(approver))) {
                return Future.succeededFuture(Changed.refused(409, "\"" + approver + "\" has already decided on access "
                        + "request " + id + "; it needs " + g.approversNeeded() + " different approvers"));
            }
            List<Vote> votes = new ArrayList<>(g.votes());
            votes.add(new Vote(approver, approve, reason, now));
            long approvals = votes.stream().filter(Vote::approve).count();
            Status status = !approve ? Status.DENIED : approvals >= g.approversNeeded() ? Status.GRANTED : Status.PENDING;
            Instant from = status == Status.GRANTED ? now : null;
            Instant until = from == null ? null : now.plus(g.duration());
            AccessGrant after = new AccessGrant(g.id(), g.identity(), g.environment(), g.role(), g.reason(), g.duration(),
                    g.breakGlass(), g.approverRoles(), g.approversNeeded(), g.created(), g.decideBy(), status, from, until,
                    votes, null, null);
            return c.preparedQuery("UPDATE " + table + " SET status = $2, granted_at = $3, expires = $4, votes = $5 "
                            + "WHERE id = $1")
                    .execute(Tuple.of(g.id(), status.wire(), time(from), time(until), votes(votes)))
                    .map(x -> new Changed(after, 0, null));
        })));
    }

    /**
     * Ends a pending request or a grant in force, under a row lock. {@code mayRevokeAny}: the caller is an
     * administrator or holds one of the request's approver roles; otherwise only its holder may give it up (403).
     * Not pending or in force: 409.
     */
    public Future<Changed> revoke(String id, String by, Set<String> byRoles, boolean admin, String reason, Instant now) {
        return createTable().compose(ready -> pool.withTransaction(c -> locked(c, id).compose(g -> {
            if (g == null) {
                return Future.succeededFuture(Changed.refused(404, "no access request " + id));
            }
            boolean holder = g.identity().equals(by);
            if (!holder && !admin && g.approverRoles().stream().noneMatch(byRoles::contains)) {
                return Future.succeededFuture(Changed.refused(403, "access " + id + " (role " + g.role() + ") may be "
                        + "revoked by its holder, an administrator or holders of role " + String.join(" or ",
                        g.approverRoles()) + "; \"" + by + "\" is none of them"));
            }
            Status s = g.statusAt(now);
            if (s != Status.PENDING && s != Status.GRANTED) {
                return Future.succeededFuture(Changed.refused(409, "access " + id + " is " + s.wire()
                        + "; only a pending request or a grant in force can be revoked"));
            }
            AccessGrant after = new AccessGrant(g.id(), g.identity(), g.environment(), g.role(), g.reason(), g.duration(),
                    g.breakGlass(), g.approverRoles(), g.approversNeeded(), g.created(), g.decideBy(), Status.REVOKED,
                    g.grantedAt(), g.expires(), g.votes(), by, reason);
            return c.preparedQuery("UPDATE " + table + " SET status = 'revoked', revoked_by = $2, revoke_reason = $3 "
                            + "WHERE id = $1")
                    .execute(Tuple.of(id, by, reason)).map(x -> new Changed(after, 0, null));
        })));
    }

    private Future<AccessGrant> locked(SqlConnection c, String id) {
        return c.preparedQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : grant(rows.iterator().next()));
    }

    private static AccessGrant grant(Row row) {
        return new AccessGrant(row.getString("id"), row.getString("identity"), row.getString("environment"),
                row.getString("role"), row.getString("reason"), Duration.ofSeconds(row.getLong("duration_seconds")),
                row.getBoolean("break_glass"), Arrays.asList(row.getArrayOfStrings("approver_roles")),
                row.getInteger("approvers_needed"), instant(row.getOffsetDateTime("created")),
                instant(row.getOffsetDateTime("decide_by")), Status.parse(row.getString("status")),
                instant(row.getOffsetDateTime("granted_at")), instant(row.getOffsetDateTime("expires")),
                votes(row.getString("votes")), row.getString("revoked_by"), row.getString("revoke_reason"));
    }

    private static String votes(List<Vote> votes) {
        JsonArray a = new JsonArray();
        for (Vote v : votes) {
            a.add(new JsonObject().put("approver", v.approver()).put("approve", v.approve()).put("reason", v.reason())
                    .put("time", v.time().toString()));
        }
        return a.encode();
    }

    private static List<Vote> votes(String json) {
        List<Vote> out = new ArrayList<>();
        for (Object o : new JsonArray(json == null ? "[]" : json)) {
            JsonObject v = (JsonObject) o;
            out.add(new Vote(v.getString("approver"), v.getBoolean("approve"), v.getString("reason"),
                    Instant.parse(v.getString("time"))));
        }
        return out;
    }

    private static OffsetDateTime time(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    public void close() {
        pool.close();
    }
}
