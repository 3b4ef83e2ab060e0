package dev.veil.approval;

import dev.veil.approval.ApprovalRequest.Status;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * A session waiting for the decision on its request: no thread waits; a timer on the session's own event loop
 * reads the request again every poll interval (from whichever instance it was decided on: the table is shared)
 * until it is decided, the wait times out, or the client cancels (checked on each tick).
 */
public final class ApprovalWait {
    /** How a wait ended; {@code request} as last read (null only when the row vanished). */
    public record Ended(How how, ApprovalRequest request) {
    }

    public enum How { APPROVED, DENIED, EXPIRED, TIMED_OUT, CANCELLED }

    private final ApprovalStore store;
    private final Vertx vertx;
    private final Clock clock;
    private final Duration poll;
    private final String id;
    private final Instant deadline;
    private final BooleanSupplier cancelled;
    private final Promise<Ended> ended = Promise.promise();
    private ApprovalRequest last;

    ApprovalWait(ApprovalStore store, Vertx vertx, Clock clock, Duration poll, ApprovalRequest request, Duration timeout,
                 BooleanSupplier cancelled) {
        this.store = store;
        this.vertx = vertx;
        this.clock = clock;
        this.poll = poll;
        this.id = request.id();
        this.last = request;
        this.deadline = clock.instant().plus(timeout);
        this.cancelled = cancelled;
    }

    Future<Ended> start() {
        schedule();
        return ended.future();
    }

    private void schedule() {
        vertx.setTimer(Math.max(1, poll.toMillis()), t -> tick());
    }

    private void tick() {
        if (cancelled.getAsBoolean()) {
            ended.tryComplete(new Ended(How.CANCELLED, last));
            return;
        }
        store.get(id).onComplete(ar -> {
            if (ar.succeeded() && ar.result() != null) {
                last = ar.result();
                Instant now = clock.instant();
                Status s = last.statusAt(now);
                if (s == Status.APPROVED) {
                    ended.tryComplete(new Ended(How.APPROVED, last));
                    return;
                }
                if (s == Status.DENIED) {
                    ended.tryComplete(new Ended(How.DENIED, last));
                    return;
                }
                if (s != Status.PENDING) {
                    ended.tryComplete(new Ended(How.EXPIRED, last));
                    return;
                }
            }
            // A failed read (the control plane briefly away) is tried again on the next tick, within the wait.
            if (cancelled.getAsBoolean()) {
                ended.tryComplete(new Ended(How.CANCELLED, last));
            } else if (!clock.instant().isBefore(deadline)) {
                ended.tryComplete(new Ended(How.TIMED_OUT, last));
            } else {
                schedule();
            }
        });
    }
}
