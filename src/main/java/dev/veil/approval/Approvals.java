package dev.veil.approval;

import dev.veil.approval.ApprovalRequest.Mode;
import dev.veil.approval.ApprovalRequest.Status;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Approvals as the sessions and the admin API use them: finding or opening the request for a statement, using
 * an approval in force, waiting for a decision. {@link #unavailable} when no control-plane database is
 * configured: statements held for approval are then refused, saying so.
 */
public final class Approvals {
    /** What a session asks approval for: who, where, what, and the owner of an agent that asks (see {@link ApprovalRequest}). */
    public record Ask(String identity, List<String> roles, String environment, String upstream, String database,
                      String dialect, String fingerprint, String statement, String digest, String rule, String reason,
                      List<String> approverRoles, int approversNeeded, String owner) {
        /** A person's statement: no owner. */
        public Ask(String identity, List<String> roles, String environment, String upstream, String database,
                   String dialect, String fingerprint, String statement, String digest, String rule, String reason,
                   List<String> approverRoles, int approversNeeded) {
            this(identity, roles, environment, upstream, database, dialect, fingerprint, statement, digest, rule, reason,
                    approverRoles, approversNeeded, null);
        }
    }

    private final ApprovalStore store;
    private final Vertx vertx;
    private final Clock clock;
    private final Duration timeout;
    private final Duration lifetime;
    private final Duration poll;
    private final Duration longestWindow;
    private final String linkBase;
    private final Consumer<ApprovalRequest> opened;
    private final String unavailable;
    private final ApprovalLinks links;
    private final LinkVotes linkVotes;

    public Approvals(ApprovalStore store, Vertx vertx, Clock clock, Duration timeout, Duration lifetime, Duration poll,
                     Duration longestWindow, String linkBase, Consumer<ApprovalRequest> opened, ApprovalLinks links) {
        this.store = store;
        this.vertx = vertx;
        this.clock = clock;
        this.timeout = timeout;
        this.lifetime = lifetime;
        this.poll = poll;
        this.longestWindow = longestWindow;
        this.linkBase = linkBase.endsWith("/") ? linkBase.substring(0, linkBase.length() - 1) : linkBase;
        this.opened = opened;
        this.unavailable = null;
        this.links = links;
        this.linkVotes = new LinkVotes(store);
    }

    private Approvals(String why) {
        this.store = null;
        this.vertx = null;
        this.clock = Clock.systemUTC();
        this.timeout = Duration.ZERO;
        this.lifetime = Duration.ZERO;
        this.poll = Duration.ZERO;
        this.longestWindow = Duration.ZERO;
        this.linkBase = "";
        this.opened = r -> { };
        this.unavailable = why;
        this.links = null;
        this.linkVotes = null;
    }

    /** No approvals here: {@code why} is what a refused client is told. */
    public static Approvals unavailable(String why) {
        return new Approvals(why);
    }

    /** Null when approvals work; otherwise why they do not. */
    public String unavailableReason() {
        return unavailable;
    }

    public ApprovalStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    public Duration longestWindow() {
        return longestWindow;
    }

    /** The signer of approve / deny links (null when approvals are unavailable). */
    public ApprovalLinks links() {
        return links;
    }

    /** Where a link's vote and its single use are recorded together. */
    public LinkVotes linkVotes() {
        return linkVotes;
    }

    /** The wait a rule asks for, or the configured one. */
    public Duration timeout(Duration ofRule) {
        return ofRule == null ? timeout : ofRule;
    }

    /** Where an approver decides request {@code id}. */
    public String link(String id) {
        return linkBase + "/console/approvals/" + id;
    }

    /**
     * The request this statement may use or wait on (an approval in force first, then a pending request), or a
     * new pending one. Completes on the caller's context.
     */
    public Future<ApprovalRequest> requestFor(Ask ask) {
        Instant now = clock.instant();
        Future<ApprovalRequest> found = store.usable(ask.identity(), ask.environment(), ask.upstream(), ask.database(),
                ask.digest(), now);
        return here(found.compose(r -> r != null ? Future.succeededFuture(r) : open(ask, now)));
    }

    /**
     * The request this statement may use or wait on (an approval in force first, then a pending request), or null;
     * none is opened. Completes on the caller's context.
     */
    public Future<ApprovalRequest> inForce(Ask ask) {
        return here(store.usable(ask.identity(), ask.environment(), ask.upstream(), ask.database(), ask.digest(),
                clock.instant()));
    }

    private Future<ApprovalRequest> open(Ask a, Instant now) {
        ApprovalRequest r = new ApprovalRequest(StatementDigest.newId(), a.identity(), a.roles(), a.environment(),
                a.upstream(), a.database(), a.dialect(), a.fingerprint(), a.statement(), a.digest(), a.rule(), a.reason(),
                a.approverRoles(), a.approversNeeded(), now, now.plus(lifetime), Status.PENDING, null, null, List.of(),
                a.owner());
        return store.insert(r).onSuccess(opened::accept);
    }

    /** Uses the approval in force for one run (see {@link ApprovalStore#use}); on the caller's context. */
    public Future<Boolean> use(ApprovalRequest r) {
        return here(store.use(r.id(), clock.instant()));
    }

    /** Waits for the decision on {@code r}, on the caller's event loop. */
    public Future<ApprovalWait.Ended> await(ApprovalRequest r, Duration wait, BooleanSupplier cancelled) {
        return new ApprovalWait(store, vertx, clock, poll, r, wait, cancelled).start();
    }

    /** Mode and window an approver asks for, checked; null window for once. */
    public Duration window(Mode mode, Integer minutes) {
        if (mode != Mode.WINDOW) {
            return null;
        }
        Duration d = Duration.ofMinutes(minutes == null ? 15 : minutes);
        return d.isNegative() || d.isZero() || d.compareTo(longestWindow) > 0 ? null : d;
    }

    /**
     * The reactive client completes a query on the context that asked, except when it asked from none; the
     * session's loop is where the pipeline continues either way.
     */
    private static <T> Future<T> here(Future<T> f) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return f;
        }
        Promise<T> p = Promise.promise();
        f.onComplete(ar -> {
            if (Vertx.currentContext() == context) {
                p.handle(ar);
            } else {
                context.runOnContext(v -> p.handle(ar));
            }
        });
        return p.future();
    }
}
