package dev.veil.approval;

import dev.veil.approval.ApprovalRequest.Mode;
import dev.veil.approval.ApprovalRequest.Status;
import dev.veil.approval.ApprovalRequest.Vote;
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
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The approval requests in the control-plane PostgreSQL table, through the reactive client: every Veil instance
 * pointed at the same table sees the same requests, and a restart loses none. The steps two instances could race
 * on are single statements or row-locked transactions: a vote locks its row (SELECT … FOR UPDATE), and a once
 * approval is consumed by one UPDATE … WHERE status = 'approved' RETURNING, which only one caller can win.
 */
public final class ApprovalStore {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    static final String COLUMNS = "id, identity, roles, environment, upstream, database, dialect, fingerprint, "
            + "statement, digest, rule, reason, approver_roles, approvers_needed, created, expires, status, mode, "
            + "window_until, votes, owner";

    private final Pool pool;
    private final String table;
    /** The table is created on first use (demo mode's server may still be starting when the store is made). */
    private Future<Void> ready;

    public ApprovalStore(Pool pool, String table) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("veil.approvals.table must be a plain (optionally schema-qualified) "
                    + "lower-case name: " + table);
        }
        this.pool = pool;
        this.table = table;
    }

    Pool pool() {
        return pool;
    }

    String table() {
        return table;
    }

    /** Creates the table if missing (every instance may: IF NOT EXISTS), once; tried again after a failure. */
    public synchronized Future<Void> createTable() {
        if (ready == null || ready.failed()) {
            ready = create();
        }
        return ready;
    }

    private Future<Void> create() {
        return pool.query("CREATE TABLE IF NOT EXISTS " + table + " (id text PRIMARY KEY, identity text NOT NULL, "
                + "roles text[] NOT NULL, environment text NOT NULL, upstream text NOT NULL, database text, "
                + "dialect text NOT NULL, fingerprint text, statement text, digest text NOT NULL, rule text NOT NULL, "
                + "reason text, approver_roles text[] NOT NULL, approvers_needed int NOT NULL, "
                + "created timestamptz NOT NULL, expires timestamptz NOT NULL, status text NOT NULL, mode text, "
                + "window_until timestamptz, votes text NOT NULL DEFAULT '[]', owner text)").execute()
                // A table made before agents' requests had owners gets the column (every instance may: IF NOT EXISTS).
                .compose(r -> pool.query("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS owner text").execute())
                .compose(r -> pool.query("CREATE INDEX IF NOT EXISTS " + table.replace('.', '_') + "_binding ON " + table
                        + " (identity, digest)").execute())
                .mapEmpty();
    }

    public Future<ApprovalRequest> insert(ApprovalRequest r) {
        return createTable().compose(v -> pool.preparedQuery("INSERT INTO " + table + " (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                        + "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)")
                .execute(Tuple.tuple(Arrays.asList(r.id(), r.identity(), r.roles().toArray(new String[0]), r.environment(),
                        r.upstream(), r.database(), r.dialect(), r.fingerprint(), r.statement(),
                        r.digest(), r.rule(), r.reason(), r.approverRoles().toArray(new String[0]),
                        r.approversNeeded(), time(r.created()), time(r.expires()), r.status().wire(),
                        r.mode() == null ? null : r.mode().wire(), time(r.windowUntil()),
                        votes(r.votes()), r.owner())))
                .map(x -> r));
    }

    /**
     * The newest request of this identity for this exact statement in this place that it may still use or wait on
     * at {@code now}: an approval in force first, else a pending request. Null when there is none.
     */
    public Future<ApprovalRequest> usable(String identity, String environment, String upstream, String database,
                                          String digest, Instant now) {
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE identity = $1 AND environment = $2 "
                        + "AND upstream = $3 AND database IS NOT DISTINCT FROM $4 AND digest = $5 "
                        + "AND status IN ('pending', 'approved') ORDER BY created DESC LIMIT 20")
                .execute(Tuple.of(identity, environment, upstream, database, digest))
                .map(rows -> {
                    ApprovalRequest pending = null;
                    for (Row row : rows) {
                        ApprovalRequest r = request(row);
                        Status s = r.statusAt(now);
                        if (s == Status.APPROVED) {
                            return r;
                        }
                        if (s == Status.PENDING && pending == null) {
                            pending = r;
                        }
                    }
                    return pending;
                }));
    }

    public Future<ApprovalRequest> get(String id) {
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : request(rows.iterator().next())));
    }

    /** Newest first; {@code status} null for all. Pending rows past their lifetime count as expired. */
    public Future<List<ApprovalRequest>> list(Status status, int limit, Instant now) {
        String where = status == null ? "" : status == Status.EXPIRED
                ? " WHERE status IN ('pending', 'approved', 'expired')" : " WHERE status = $2";
        Tuple args = status == null || status == Status.EXPIRED ? Tuple.of(limit) : Tuple.of(limit, status.wire());
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table + where
                        + " ORDER BY created DESC LIMIT $1").execute(args))
                .map(rows -> {
                    List<ApprovalRequest> out = new ArrayList<>();
                    for (Row row : rows) {
                        ApprovalRequest r = request(row);
                        Status s = r.statusAt(now);
                        if (status == null || s == status) {
                            out.add(s == r.status() ? r : r.withStatus(s));
                        }
                    }
                    return out;
                });
    }

    /**
     * The pending requests {@code who} may decide (see {@link ApprovalRequest#decidableBy}: as the owner of the agent
     * that asked, or holding one of the rule's roles), newest first; their own are left out.
     */
    public Future<List<ApprovalRequest>> decidableBy(String who, Set<String> roles, int limit, Instant now) {
        return createTable().compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE status = 'pending' AND identity <> $1 AND (owner = $1 OR approver_roles && $2)"
                        + " ORDER BY created DESC LIMIT $3")
                .execute(Tuple.of(who, roles.toArray(new String[0]), limit)))
                .map(rows -> {
                    List<ApprovalRequest> out = new ArrayList<>();
                    for (Row row : rows) {
                        ApprovalRequest r = request(row);
                        if (r.statusAt(now) == Status.PENDING) {
                            out.add(r);
                        }
                    }
                    return out;
                });
    }

    /**
     * Uses an approval in force to run its statement once: a once approval becomes used (only one caller's
     * UPDATE matches), a window approval stays. False when there is none in force any more.
     */
    public Future<Boolean> use(String id, Instant now) {
        OffsetDateTime at = time(now);
        return pool.preparedQuery("UPDATE " + table + " SET status = CASE WHEN mode = 'once' THEN 'used' ELSE status END "
                        + "WHERE id = $1 AND status = 'approved' AND ((mode = 'once' AND expires > $2) "
                        + "OR (mode = 'window' AND window_until > $2)) RETURNING id")
                .execute(Tuple.of(id, at)).map(rows -> rows.size() == 1);
    }

    /** What a vote came to: the request after it, or why it was refused (an HTTP status and a message). */
    public record Voted(ApprovalRequest request, int refusal, String problem) {
        static Voted refused(int status, String problem) {
            return new Voted(null, status, problem);
        }
    }

    /**
     * Records an approver's vote under a row lock. Refused: no such request (404), not pending any more (409),
     * the requester's own (403), an approver without a role the rule names (403), a second vote by the same
     * approver (409). Approved once enough distinct approvers have approved; denied by the first denial.
     */
    public Future<Voted> vote(String id, String approver, Set<String> approverRoles, boolean approve, Mode mode,
                              Duration window, String reason, Instant now) {
        return createTable().compose(ready -> pool.withTransaction(c -> vote(c, id, approver, approverRoles, approve, mode,
                window, reason, now)));
    }

    /** {@link #vote} inside the caller's transaction (a link's nonce is recorded in the same one, see LinkVotes). */
    Future<Voted> vote(SqlConnection c, String id, String approver, Set<String> approverRoles, boolean approve, Mode mode,
                       Duration window, String reason, Instant now) {
        return c.preparedQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(id))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(Voted.refused(404, "no approval request " + id));
                    }
                    ApprovalRequest r = request(rows.iterator().next());
                    Status s = r.statusAt(now);
                    if (s != Status.PENDING) {
                        return Future.succeededFuture(Voted.refused(409, "approval request " + id + " is " + s.wire()
                                + ", not pending; nothing to decide"));
                    }
                    if (r.identity().equals(approver)) {
                        return Future.succeededFuture(Voted.refused(403, "\"" + approver + "\" asked for approval " + id
                                + " and cannot decide it: self-approval is refused; another approver must decide"));
                    }
                    if (!r.decidableBy(approver, approverRoles)) {
                        return Future.succeededFuture(Voted.refused(403, "approval " + id + " (rule " + r.rule()
                                + ") is decided by holders of role " + String.join(" or ", r.approverRoles())
                                + (r.owner() == null ? "" : " or by " + r.owner() + ", the owner of " + r.identity()) + "; \""
                                + approver + "\" is none of them"));
                    }
                    if (r.votes().stream().anyMatch(v -> v.approver().equals(approver))) {
                        return Future.succeededFuture(Voted.refused(409, "\"" + approver + "\" has already decided on "
                                + "approval " + id + "; it needs " + r.approversNeeded() + " different approvers"));
                    }
                    return update(c, r, new Vote(approver, approve, reason, now), mode, window, now);
                });
    }

    private Future<Voted> update(SqlConnection c, ApprovalRequest r, Vote vote, Mode mode, Duration window, Instant now) {
        List<Vote> votes = new ArrayList<>(r.votes());
        votes.add(vote);
        long approvals = votes.stream().filter(Vote::approve).count();
        Status status = !vote.approve() ? Status.DENIED : approvals >= r.approversNeeded() ? Status.APPROVED : Status.PENDING;
        Mode m = status == Status.APPROVED ? mode : null;
        Instant until = m == Mode.WINDOW ? now.plus(window) : null;
        ApprovalRequest after = new ApprovalRequest(r.id(), r.identity(), r.roles(), r.environment(), r.upstream(),
                r.database(), r.dialect(), r.fingerprint(), r.statement(), r.digest(), r.rule(), r.reason(),
                r.approverRoles(), r.approversNeeded(), r.created(), r.expires(), status, m, until, votes, r.owner());
        return c.preparedQuery("UPDATE " + table + " SET status = $2, mode = $3, window_until = $4, votes = $5 WHERE id = $1")
                .execute(Tuple.of(r.id(), status.wire(), m == null ? null : m.wire(), time(until), votes(votes)))
                .map(x -> new Voted(after, 0, null));
    }

    static ApprovalRequest request(Row row) {
        String mode = row.getString("mode");
        return new ApprovalRequest(row.getString("id"), row.getString("identity"), Arrays.asList(row.getArrayOfStrings("roles")),
                row.getString("environment"), row.getString("upstream"), row.getString("database"), row.getString("dialect"),
                row.getString("fingerprint"), row.getString("statement"), row.getString("digest"), row.getString("rule"),
                row.getString("reason"), Arrays.asList(row.getArrayOfStrings("approver_roles")),
                row.getInteger("approvers_needed"), instant(row.getOffsetDateTime("created")),
                instant(row.getOffsetDateTime("expires")), Status.parse(row.getString("status")),
                mode == null ? null : Mode.parse(mode), instant(row.getOffsetDateTime("window_until")),
                votes(row.getString("votes")), row.getString("owner"));
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

    static OffsetDateTime time(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    public void close() {
        pool.close();
    }
}
