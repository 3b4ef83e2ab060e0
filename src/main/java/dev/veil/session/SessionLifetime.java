package dev.veil.session;

import dev.veil.config.VeilConfig;
import dev.veil.identity.Identity;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Ends sessions that outlive veil.identity.session.max-age, or (when asked) the token they were opened with.
 * A periodic sweep; the client gets a FATAL 57P01 / MySQL 4031 that says why, and reconnects with a fresh token.
 */
@ApplicationScoped
public class SessionLifetime {
    private static final Logger LOG = Logger.getLogger(SessionLifetime.class);

    private final SessionRegistry sessions;
    private final Vertx vertx;
    private final Clock clock;
    private final Duration maxAge;
    private final boolean endOnTokenExpiry;
    private final Duration interval;
    private long timer = -1;

    public SessionLifetime(SessionRegistry sessions, Vertx vertx, Clock clock, VeilConfig config) {
        this.sessions = sessions;
        this.vertx = vertx;
        this.clock = clock;
        this.maxAge = config.identity().session().maxAge();
        this.endOnTokenExpiry = config.identity().session().endOnTokenExpiry();
        this.interval = config.identity().session().checkInterval();
    }

    public synchronized void start() {
        boolean limited = !maxAge.isZero() || endOnTokenExpiry;
        if (timer < 0 && limited) {
            timer = vertx.setPeriodic(Math.max(100, interval.toMillis()), id -> sweep());
        }
    }

    public synchronized void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    void sweep() {
        Instant now = clock.instant();
        for (Session s : sessions.sessions()) {
            expiry(s.identity(), s.startedAt(), now, maxAge, endOnTokenExpiry).ifPresent(reason -> {
                LOG.infof("ending session %d of %s: %s", s.id(), s.identity().name(), reason.getMessage());
                s.end(reason);
            });
        }
    }

    /** Why a session must end now, if it must. Pure. */
    static Optional<VeilException> expiry(Identity identity, Instant startedAt, Instant now, Duration maxAge, boolean endOnTokenExpiry) {
        if (!maxAge.isZero() && !now.isBefore(startedAt.plus(maxAge))) {
            return Optional.of(VeilException.fatal(ErrorCode.SESSION_EXPIRED, "terminating connection: the session reached "
                    + "its maximum age of " + human(maxAge) + " (veil.identity.session.max-age); reconnect with a fresh token"));
        }
        if (endOnTokenExpiry && identity.expiresAt() != null && !now.isBefore(identity.expiresAt())) {
            return Optional.of(VeilException.fatal(ErrorCode.SESSION_EXPIRED, "terminating connection: the token this session "
                    + "was opened with expired (valid until " + identity.expiresAt() + ", clock skew included); reconnect with a fresh token (veil login)"));
        }
        return Optional.empty();
    }

    private static String human(Duration d) {
        return d.toSeconds() % 3600 == 0 ? d.toHours() + "h" : d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
