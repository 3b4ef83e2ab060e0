package dev.veil.approval.access;

import dev.veil.approval.StatementDigest;
import dev.veil.approval.access.AccessGrant.Status;
import dev.veil.policy.AccessSection.Requestable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Just-in-time access as the API, the console and the sessions use it (docs/access.md): opening a request, taking a
 * role at once (break-glass), and reading an identity's grants in force when its session opens, within
 * {@code lookupTimeout}. {@link #unavailable} without a control-plane database: nothing can be requested, and no
 * session holds a grant.
 */
public final class Access {
    private final AccessStore store;
    private final Vertx vertx;
    private final Clock clock;
    private final String environment;
    private final Duration requestLifetime;
    private final Duration lookupTimeout;
    private final Duration checkInterval;
    private final Consumer<AccessGrant> brokeGlass;
    private final String unavailable;

    public Access(AccessStore store, Vertx vertx, Clock clock, String environment, Duration requestLifetime,
                  Duration lookupTimeout, Duration checkInterval, Consumer<AccessGrant> brokeGlass) {
        this.store = store;
        this.vertx = vertx;
        this.clock = clock;
        this.environment = environment;
        this.requestLifetime = requestLifetime;
        this.lookupTimeout = lookupTimeout;
        this.checkInterval = checkInterval;
        this.brokeGlass = brokeGlass;
        this.unavailable = null;
    }

    private Access(String why) {
        this.store = null;
        this.vertx = null;
        this.clock = Clock.systemUTC();
        this.environment = "";
        this.requestLifetime = Duration.ZERO;
        this.lookupTimeout = Duration.ZERO;
        this.checkInterval = Duration.ofSeconds(5);
        this.brokeGlass = g -> { };
        this.unavailable = why;
    }

    /** No access requests here: {@code why} is what callers are told. */
    public static Access unavailable(String why) {
        return new Access(why);
    }

    /** Null when access requests work; otherwise why they do not. */
    public String unavailableReason() {
        return unavailable;
    }

    public AccessStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    public String environment() {
        return environment;
    }

    /** How often sessions under a grant are checked for its end or revocation. */
    public Duration checkInterval() {
        return checkInterval;
    }

    /** A pending request of {@code identity} for {@code role}, as the access section says it is approved. */
    public Future<AccessGrant> request(String identity, Requestable role, Duration duration, String reason) {
        Instant now = clock.instant();
        return store.insert(new AccessGrant(StatementDigest.newId(), identity, environment, role.role(), reason, duration,
                false, role.approverRoles(), role.approversNeeded(), now, now.plus(requestLifetime), Status.PENDING, null,
                null, List.of(), null, null));
    }

    /** A break-glass grant in force from now, not stored yet: its audit event is written first. */
    public AccessGrant plannedBreakGlass(String identity, Requestable role, Duration duration, String reason) {
        Instant now = clock.instant();
        return new AccessGrant(StatementDigest.newId(), identity, environment, role.role(), reason, duration, true,
                role.approverRoles(), role.approversNeeded(), now, now, Status.GRANTED, now, now.plus(duration), List.of(),
                null, null);
    }

    /** Stores a planned break-glass grant; the break-glass listener (the webhook) is told once it is stored. */
    public Future<AccessGrant> store(AccessGrant planned) {
        return store.insert(planned).onSuccess(brokeGlass::accept);
    }

    /**
     * The grants in force for {@code identity} here, read within the lookup timeout; completes on the caller's
     * context, failed when the control plane did not answer in time.
     */
    public Future<List<AccessGrant>> grantsOf(String identity) {
        Context context = Vertx.currentContext();
        Promise<List<AccessGrant>> p = Promise.promise();
        long timer = vertx.setTimer(Math.max(1, lookupTimeout.toMillis()), t -> p.tryFail(new TimeoutException(
                "the control-plane database did not answer within " + lookupTimeout.toMillis() + " ms (veil.access.lookup-timeout)")));
        store.active(identity, environment, clock.instant()).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                p.tryComplete(ar.result());
            } else {
                p.tryFail(ar.cause());
            }
        });
        if (context == null) {
            return p.future();
        }
        Promise<List<AccessGrant>> here = Promise.promise();
        p.future().onComplete(ar -> {
            if (Vertx.currentContext() == context) {
                here.handle(ar);
            } else {
                context.runOnContext(v -> here.handle(ar));
            }
        });
        return here.future();
    }
}
