package dev.veil.session;

import dev.veil.approval.access.Access;
import dev.veil.approval.access.AccessGrant;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends the sessions opened under an access grant once it ends (docs/access.md): at its expiry, when it is revoked
 * (read from the control plane every veil.access.check-interval, so within one interval on every pod), when the
 * policy in force no longer lets the identity hold the role, or when the control plane cannot be read to confirm it
 * (fail closed: a session never keeps more than what can be confirmed). The client gets a FATAL 57P01 / MySQL 4031
 * saying which grant ended; new sessions open with the roles the identity still holds.
 */
final class GrantWatch {
    private static final Logger LOG = Logger.getLogger(GrantWatch.class);

    private record Watched(Session session, List<AccessGrant> grants) {
    }

    private final Access access;
    private final StatementPipelines pipelines;
    private final Vertx vertx;
    private final Clock clock;
    private final Map<Long, Watched> watched = new ConcurrentHashMap<>();
    private long timer = -1;
    private boolean sweeping;

    GrantWatch(Access access, StatementPipelines pipelines, Vertx vertx, Clock clock) {
        this.access = access;
        this.pipelines = pipelines;
        this.vertx = vertx;
        this.clock = clock;
    }

    void watch(Session session, List<AccessGrant> grants) {
        watched.put(session.id(), new Watched(session, grants));
        synchronized (this) {
            if (timer < 0) {
                timer = vertx.setPeriodic(Math.max(100, access.checkInterval().toMillis()), id -> sweep());
            }
        }
    }

    void forget(Session session) {
        Watched w = watched.get(session.id());
        if (w != null && w.session() == session) {
            watched.remove(session.id(), w);
        }
    }

    private void sweep() {
        synchronized (this) {
            if (sweeping || watched.isEmpty()) {
                return;
            }
            sweeping = true;
        }
        Instant now = clock.instant();
        Set<String> ids = new HashSet<>();
        for (Watched w : List.copyOf(watched.values())) {
            String ended = endedLocally(w, now);
            if (ended != null) {
                end(w, ended);
            } else {
                w.grants().forEach(g -> ids.add(g.id()));
            }
        }
        access.store().byIds(ids).onComplete(ar -> {
            try {
                for (Watched w : List.copyOf(watched.values())) {
                    if (ar.failed()) {
                        end(w, "the control-plane database could not confirm access grant " + grantList(w)
                                + " (" + ar.cause().getMessage() + "), so the session it gave ends (fail closed)");
                        continue;
                    }
                    for (AccessGrant g : w.grants()) {
                        AccessGrant now2 = ar.result().get(g.id());
                        if (now2 == null || !now2.inForce(now)) {
                            end(w, "access grant " + g.id() + " (role " + g.role() + ") was "
                                    + (now2 == null ? "removed" : now2.status() == AccessGrant.Status.REVOKED
                                    ? "revoked by " + now2.revokedBy() + (now2.revokeReason() == null ? "" : ": "
                                    + now2.revokeReason()) : now2.statusAt(now).wire()));
                            break;
                        }
                    }
                }
            } finally {
                synchronized (this) {
                    sweeping = false;
                }
            }
        });
    }

    /** Why a session must end without asking the control plane: a grant past its end, or no longer in the policy. */
    private String endedLocally(Watched w, Instant now) {
        List<String> roles = pipelines.rolesOf(w.session().identity(), w.grants().stream().map(AccessGrant::role).toList());
        for (AccessGrant g : w.grants()) {
            if (!now.isBefore(g.expires())) {
                return "access grant " + g.id() + " (role " + g.role() + ") ended at " + g.expires();
            }
            if (!roles.contains(g.role())) {
                return "the policy in force no longer lets " + w.session().identity().name() + " hold role " + g.role()
                        + " (its access section changed; grant " + g.id() + ")";
            }
        }
        return null;
    }

    private void end(Watched w, String why) {
        if (!watched.remove(w.session().id(), w)) {
            return;
        }
        LOG.infof("ending session %d of %s: %s", w.session().id(), w.session().identity().name(), why);
        w.session().end(VeilException.fatal(ErrorCode.SESSION_EXPIRED, "terminating connection: " + why + "; this "
                + "session was opened under it. Reconnect: new sessions hold the roles you still have"));
    }

    private static String grantList(Watched w) {
        return String.join(", ", w.grants().stream().map(AccessGrant::id).toList());
    }
}
