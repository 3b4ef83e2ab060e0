package dev.veil.session;

import dev.veil.analysis.Dialect;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.AuditLog;
import dev.veil.audit.LiteralRedactor;
import dev.veil.config.VeilConfig;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.identity.Identity;
import dev.veil.identity.LoginThrottle;
import dev.veil.upstream.catalog.CatalogRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where front ends report sessions and statements, whatever their dialect. It turns those reports into
 * audit events and statement metrics; {@link SessionAudit} is its per-session side.
 */
@Singleton // called for every statement: no client proxy in between
public class SessionAuditor {
    private static final Logger LOG = Logger.getLogger(SessionAuditor.class);

    final AuditLog log;
    final Clock clock;
    final MeterRegistry metrics;
    final boolean redactLiterals;
    final boolean recordParameters;
    final LiteralRedactor postgresRedactor = new LiteralRedactor(Dialect.POSTGRESQL);
    final LiteralRedactor mysqlRedactor = new LiteralRedactor(Dialect.MYSQL);
    final Timer veilTime;
    final Timer upstreamTime;
    private final Counter authFailures;
    private final Counter authFailuresSuppressed;
    private final AuthFailureThrottle authThrottle;
    private final LoginThrottle loginThrottle;

    private final CatalogRegistry catalogs;

    /**
     * {@code vertx}: runs the timer that writes the summaries of ended auth-failure windows (null: none, in tests).
     * {@code loginThrottle}: told of every refused secret and every session start, whatever the surface.
     */
    public SessionAuditor(AuditLog log, VeilConfig config, Clock clock, MeterRegistry metrics,
                          CatalogRegistry catalogs, Vertx vertx, LoginThrottle loginThrottle) {
        this.catalogs = catalogs;
        this.loginThrottle = loginThrottle;
        this.log = log;
        this.clock = clock;
        this.metrics = metrics;
        this.redactLiterals = config.audit().redactLiterals();
        this.recordParameters = config.audit().recordParameters();
        this.veilTime = Timer.builder("veil.statement.veil.time")
                .description("Time Veil spends on a statement before it goes upstream (analysis, policy, audit)")
                .publishPercentileHistogram().register(metrics);
        this.upstreamTime = Timer.builder("veil.statement.upstream.time")
                .description("Time from forwarding a statement to its completion by the upstream")
                .publishPercentileHistogram().register(metrics);
        this.authFailures = Counter.builder("veil.auth.failures").description("Failed client authentications").register(metrics);
        this.authFailuresSuppressed = Counter.builder("veil.auth.failures.suppressed")
                .description("Failed client authentications not recorded one by one (veil.audit.auth-failures.per-source)").register(metrics);
        VeilConfig.AuthFailures limit = config.audit().authFailures();
        this.authThrottle = new AuthFailureThrottle(limit.perSource(), limit.window());
        if (vertx != null) {
            long every = Math.max(100, Math.min(1000, limit.window().toMillis()));
            vertx.setPeriodic(every, id -> closeAuthFailureWindows());
        }
    }

    /**
     * Records the start of a session; the returned object records its statements and its end.
     * {@code holdsAnswers}: the front end keeps a statement's answer from the client until
     * {@link StatementRecord#durable()} completes, so reads may run before their record is fsync'd.
     */
    public SessionAudit sessionStarted(Session session, String protocol, String applicationName, boolean holdsAnswers) {
        var id = session.identity();
        loginThrottle.succeeded(session.clientAddress(), id.name());
        record(new AuditEvent.SessionStarted(clock.instant(), session.id(), protocol,
                who(id), session.clientAddress(),
                applicationName, session.tls(), session.environment(), session.upstream(), session.database(),
                session.login() == null ? null : session.login().user()));
        return new SessionAudit(this, session, protocol, holdsAnswers);
    }

    private static AuditEvent.Who who(Identity id) {
        Identity.Machine m = id.machine();
        return new AuditEvent.Who(id.name(), id.roles(), id.source().name().toLowerCase(Locale.ROOT), id.provider(),
                id.groups(), id.kind().label(), m == null ? null : m.clientId(), m == null ? null : m.owner(),
                m == null ? null : m.actor());
    }

    /**
     * Records a failed authentication; {@code e} is the error the client is about to get. Past
     * veil.audit.auth-failures.per-source in a window, failures from the same address are only counted, and
     * summed up when the window ends.
     */
    public void authenticationFailed(String protocol, String user, String clientAddress, boolean tls, VeilException e) {
        authFailures.increment();
        if (e.code() == ErrorCode.AUTH_FAILED) {
            // A refused secret is a guess, and slows the next ones; no TLS, a timeout or an unreachable provider is not.
            loginThrottle.failed(clientAddress, user);
        }
        List<AuditEvent> events = authThrottle.failed(new AuditEvent.AuthenticationFailed(clock.instant(), protocol, user,
                clientAddress, tls, e.code().sqlState(), e.getMessage()));
        if (events.stream().noneMatch(AuditEvent.AuthenticationFailed.class::isInstance)) {
            authFailuresSuppressed.increment();
        }
        events.forEach(this::record);
    }

    /** Records the summaries of the auth-failure windows that have ended (periodically, and from tests). */
    void closeAuthFailureWindows() {
        authThrottle.closed(clock.instant()).forEach(this::record);
    }

    /** Records an event nobody waits for; a failure is logged (and counted by the audit log). */
    void record(AuditEvent event) {
        if (!log.recordLater(event)) {
            LOG.debugf("audit event %s not recorded: %s", event.getClass().getSimpleName(), log.unavailableReason());
        }
    }

    private final Map<Context, Mailbox> mailboxes = new ConcurrentHashMap<>();

    /**
     * Runs {@code task} on {@code context}. The writer completes many decisions per batch; the ones for the
     * same event loop are run by one task there, instead of one wake-up of that loop per statement.
     */
    void runOn(Context context, Runnable task) {
        mailboxes.computeIfAbsent(context, Mailbox::new).post(task);
    }

    private static final class Mailbox {
        private final Context context;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Mailbox(Context context) {
            this.context = context;
        }

        void post(Runnable task) {
            tasks.add(task);
            if (scheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> drain());
            }
        }

        private void drain() {
            scheduled.set(false);
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }

    /** DDL succeeded in a transaction still open: the upstream's catalogs are stale until it ends. */
    void catalogChanging(String upstream) {
        catalogs.changed(upstream);
    }

    /** The transaction that ran DDL has ended: the catalogs are read again (the future never fails). */
    Future<Void> catalogChanged(String upstream) {
        return catalogs.refresh(upstream);
    }

    LiteralRedactor redactor(String protocol) {
        return "mysql".equals(protocol) ? mysqlRedactor : postgresRedactor;
    }

    /** The counters of one kind of decided statement, found by the raw values (nothing built per statement). */
    private record StatementCounters(Counter statements, Counter lineage) {
        void count() {
            statements.increment();
            lineage.increment();
        }
    }

    private record CounterKey(String protocol, String kind, AuditEvent.Verdict verdict, String lineage) {
        /* Written out: made and looked up for every statement, and the generated methods went through method handles. */
        @Override
        public boolean equals(Object o) {
            return o instanceof CounterKey k && k.verdict == verdict && Objects.equals(k.protocol, protocol)
                    && Objects.equals(k.kind, kind) && Objects.equals(k.lineage, lineage);
        }

        @Override
        public int hashCode() {
            return ((Objects.hashCode(protocol) * 31 + Objects.hashCode(kind)) * 31 + Objects.hashCode(verdict)) * 31
                    + Objects.hashCode(lineage);
        }
    }

    private final Map<CounterKey, StatementCounters> statementCounters = new ConcurrentHashMap<>();

    void countStatement(AuditEvent.StatementDecided d) {
        var key = new CounterKey(d.protocol(), d.analysis().kind(), d.decision().verdict(), d.analysis().lineage());
        // Cached: a registry lookup (tag sorting, id hashing) per statement is measurable on the data path.
        statementCounters.computeIfAbsent(key, SessionAuditor.this::counters).count();
        if (d.decision().verdict() == AuditEvent.Verdict.DENY) {
            countRefusal(d.decision().rule());
        }
    }

    private StatementCounters counters(CounterKey k) {
        String kind = k.kind() == null ? "unanalysed" : k.kind().toLowerCase(Locale.ROOT);
        String verdict = k.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-');
        // Not analysed at all (no lineage recorded) counts as unknown: policy treats both the same way.
        String lineage = k.lineage() == null ? "unknown" : k.lineage();
        return new StatementCounters(Counter.builder("veil.statements").description("Statements decided")
                .tags("protocol", k.protocol(), "kind", kind, "decision", verdict).register(metrics),
                Counter.builder("veil.statements.lineage")
                        .description("Statements decided, by how much of their column lineage the analysis knows")
                        .tags("protocol", k.protocol(), "lineage", lineage).register(metrics));
    }

    void countRefusal(String rule) {
        metrics.counter("veil.refusals", "rule", rule).increment();
    }

    void countMasks(List<AuditEvent.Mask> masks) {
        masks.forEach(m -> metrics.counter("veil.masks.applied", "tag", m.tag() == null ? "none" : m.tag()).increment());
    }

    void time(long veilNanos, long upstreamNanos) {
        veilTime.record(veilNanos, TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            upstreamTime.record(upstreamNanos, TimeUnit.NANOSECONDS);
        }
    }
}
