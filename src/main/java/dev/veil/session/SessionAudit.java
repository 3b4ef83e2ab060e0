package dev.veil.session;

import dev.veil.audit.AuditCodec;
import dev.veil.audit.AuditEvent;
import dev.veil.audit.LiteralRedactor;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The audit side of one session, confined to the session's event loop. Record before run:
 * {@link #decided} returns a future that completes (on the session's own context) once the statement may
 * go upstream: when its decision record is stored, or, for a read with reads-durable-before=none or reply,
 * once the record is in the audit file (with reply, {@link StatementRecord#durable()} then gates the answer). When the record
 * cannot be stored and Veil fails closed, the future fails with a {@link VeilException} (53000) to send to
 * the client.
 */
public final class SessionAudit {
    private static final Logger LOG = Logger.getLogger(SessionAudit.class);

    private final SessionAuditor auditor;
    private final Session session;
    private final String protocol;
    private final boolean holdsAnswers;
    private long statements;
    private boolean ended;
    /** DDL succeeded in the current transaction: the catalog is read again when it ends. */
    private boolean catalogChanged;
    private Future<Void> catalogRefresh = Future.succeededFuture();
    /**
     * Completes once every record this session made so far is in the log's hands; pending only while a long
     * statement's record is prepared on a worker (then later records wait behind it, in order).
     */
    private Future<Void> handedOver = Future.succeededFuture();
    /** The last texts read on the loop, most recently used last (see {@link #readOnLoop}). */
    private final Map<String, LiteralRedactor.Redacted> recentlyRead = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LiteralRedactor.Redacted> eldest) {
            return size() > RECENT_TEXTS;
        }
    };
    /** A few short texts per session: at most 8 × (1,024 + 1,024) characters held, even with a thousand sessions. */
    private static final int RECENT_TEXTS = 8;
    private static final int RECENT_TEXT_CHARS = 1024;

    /** Told the rows each completed statement returned or changed (an agent's rows per hour); none by default. */
    private LongConsumer rowsCounted = n -> { };

    SessionAudit(SessionAuditor auditor, Session session, String protocol, boolean holdsAnswers) {
        this.auditor = auditor;
        this.session = session;
        this.protocol = protocol;
        this.holdsAnswers = holdsAnswers;
    }

    /**
     * Records the decision about a statement. {@code parameters} may be null (none, or not known yet);
     * they are kept only when veil.audit.record-parameters is on.
     *
     * <p>The work whose cost grows with the text (literal redaction and fingerprint over the whole text, the
     * SHA-256 of it, the record's JSON) is done on the event loop for a statement within
     * veil.audit.max-statement-chars, and on a worker for a longer one: a 50 MB statement took seconds of its
     * loop, and every session on that loop waited. The session's records still reach the log in the order they
     * were made: whatever this session records while a long statement's record is being prepared (a session
     * end, another decision) follows it.
     */
    public Future<StatementRecord> decided(String sql, List<String> parameters, AuditEvent.Analysis analysis,
                                           AuditEvent.Decision decision) {
        return decided(sql, parameters, analysis, decision, List.of());
    }

    /** The same, for a statement whose result is masked: {@code masks} lists its masked columns. */
    public Future<StatementRecord> decided(String sql, List<String> parameters, AuditEvent.Analysis analysis,
                                           AuditEvent.Decision decision, List<AuditEvent.Mask> masks) {
        return decided(sql, parameters, analysis, decision, masks, null);
    }

    /** The same, for a statement held for approval or run on one: {@code approval} is the request's id. */
    public Future<StatementRecord> decided(String sql, List<String> parameters, AuditEvent.Analysis analysis,
                                           AuditEvent.Decision decision, List<AuditEvent.Mask> masks, String approval) {
        long started = System.nanoTime();
        Draft draft = new Draft(++statements, auditor.clock.instant(), sql, parameters, analysis, decision, masks, approval);
        Context context = Vertx.currentContext();
        Future<Prepared> prepared;
        if (context != null && sql != null && sql.length() > auditor.log.statementChars()) {
            prepared = context.owner().executeBlocking(() -> prepare(draft, auditor.redactor(protocol).read(sql)), false);
        } else {
            prepared = Future.succeededFuture(prepare(draft, readOnLoop(sql)));
        }
        if (prepared.isComplete() && handedOver.isComplete()) {
            return store(prepared.result(), started, context); // the usual case: no hop
        }
        Promise<StatementRecord> result = Promise.promise();
        handedOver = handedOver.transform(before -> prepared).transform(p -> {
            if (p.succeeded()) {
                store(p.result(), started, context).onComplete(result);
            } else {
                LOG.errorf(p.cause(), "session %d: the audit record of statement %d could not be prepared", session.id(), draft.statementId());
                result.fail(VeilException.error(ErrorCode.AUDIT_UNAVAILABLE, "statement refused: Veil could not prepare its audit record ("
                        + reason(p.cause()) + "); operators: see Veil's log"));
            }
            return Future.succeededFuture();
        });
        return result.future();
    }

    /** What a decision record is made of, read on the session's loop when the statement is decided. */
    private record Draft(long statementId, Instant time, String sql, List<String> parameters, AuditEvent.Analysis analysis,
                         AuditEvent.Decision decision, List<AuditEvent.Mask> masks, String approval) {
    }

    /** A decision record ready to be handed to the log. */
    private record Prepared(AuditEvent.StatementDecided event, AuditCodec.Serialised serialised) {
    }

    /**
     * The recorded text and fingerprint of a statement short enough to be read on the session's loop, remembered
     * for the session's last few texts: a prepared statement runs with the same text every time, and so do an
     * application's parameterised queries.
     */
    private LiteralRedactor.Redacted readOnLoop(String sql) {
        if (sql == null || sql.length() > RECENT_TEXT_CHARS) {
            return auditor.redactor(protocol).read(sql);
        }
        LiteralRedactor.Redacted r = recentlyRead.get(sql);
        if (r == null) {
            r = auditor.redactor(protocol).read(sql);
            recentlyRead.put(sql, r);
        }
        return r;
    }

    /** A statement's text as this session's records show it (literals redacted unless the audit keeps them). */
    public record Displayed(String text, String fingerprint) {
    }

    /** How {@code sql} appears in this session's records: what an approval request shows its approvers. */
    public Displayed displayed(String sql) {
        LiteralRedactor.Redacted r = readOnLoop(sql);
        return new Displayed(auditor.redactLiterals ? r.text() : sql, r.fingerprint());
    }

    /** Fingerprints and serialises (on any thread: it reads nothing the session changes; the text it notes is volatile). */
    private Prepared prepare(Draft d, LiteralRedactor.Redacted redacted) {
        String text = auditor.redactLiterals ? redacted.text() : d.sql();
        session.noteStatement(text);
        var event = new AuditEvent.StatementDecided(d.time(), session.id(), d.statementId(), session.identity().name(),
                session.identity().roles(), session.environment(), session.upstream(), session.database(), protocol,
                redacted.fingerprint(), text, auditor.redactLiterals,
                auditor.recordParameters ? d.parameters() : null, d.analysis(), d.decision(), d.masks(), d.approval());
        return new Prepared(event, auditor.log.serialise(event));
    }

    /** Hands a prepared decision record to the log (on the session's loop) and says when the statement may run. */
    private Future<StatementRecord> store(Prepared p, long started, Context context) {
        var event = p.event();
        auditor.countStatement(event);
        StatementRecord ticket = new StatementRecord(this, event, started);
        boolean allowedRead = context != null && "READ".equals(event.analysis().kind())
                && event.decision().verdict() == AuditEvent.Verdict.ALLOW;
        if (allowedRead && auditor.log.readsAnswerBeforeSync()) {
            // Appended to the audit file: the read runs and answers now; a group commit fsyncs the record soon
            // after. Should that fsync fail, the log refuses every statement from then on (fail closed) and says why.
            CompletableFuture<Void> appended = auditor.log.recordLazily(p.serialised());
            if (!appended.isCompletedExceptionally()) {
                appended.whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warnf("session %d: the record of read %d is in the audit file but was not fsync'd (%s); its "
                                + "answer was sent (reads-durable-before=none)", session.id(), event.statementId(), reason(e));
                    }
                });
                return Future.succeededFuture(ticket);
            }
            Promise<StatementRecord> refused = Promise.promise();
            whenStored(appended, context, event.statementId(), () -> refused.complete(ticket), refused::fail);
            return refused.future();
        }
        CompletableFuture<Void> stored = auditor.log.record(p.serialised());
        if (stored.isDone() && !stored.isCompletedExceptionally()) {
            return Future.succeededFuture(ticket); // stored already (durability write, or audit disabled)
        }
        allowedRead = allowedRead && !stored.isDone();
        if (holdsAnswers && allowedRead && auditor.log.readsMayRunBeforeSync()) {
            // Appended to the audit file: the read may run now; its answer waits for the fsync.
            Promise<Void> durable = Promise.promise();
            whenStored(stored, context, event.statementId(), durable::complete, durable::fail);
            ticket.durable(durable.future());
            return Future.succeededFuture(ticket);
        }
        Promise<StatementRecord> promise = Promise.promise();
        whenStored(stored, context, event.statementId(), () -> promise.complete(ticket), promise::fail);
        return promise.future();
    }

    /** Records an event nobody waits for, after any record of this session still being prepared. */
    private void recordInTurn(AuditEvent event) {
        if (handedOver.isComplete()) {
            auditor.record(event);
        } else {
            handedOver = handedOver.transform(before -> {
                auditor.record(event);
                return Future.succeededFuture();
            });
        }
    }

    /**
     * Runs {@code ok} on the session's context once the record is stored, or {@code refused} with the error
     * for the client when it cannot be and Veil fails closed (without fail-closed, {@code ok} after a warning).
     * The audit log's watchdog fails the future when the write takes longer than veil.audit.write-timeout.
     */
    private void whenStored(CompletableFuture<Void> stored, Context context, long statementId,
                            Runnable ok, Consumer<Throwable> refused) {
        stored.whenComplete((v, e) -> {
            Runnable done = () -> {
                if (e == null) {
                    ok.run();
                } else if (auditor.log.failClosed()) {
                    auditor.countRefusal("audit-unavailable");
                    refused.accept(VeilException.error(ErrorCode.AUDIT_UNAVAILABLE,
                            "statement refused: Veil cannot record it in its audit log ("
                                    + reason(e) + "); Veil refuses statements until the audit log is writable again. "
                                    + "Retry later; operators: see /q/health/ready and Veil's log"));
                } else {
                    LOG.warnf("session %d: statement %d runs without an audit record (fail-closed is off): %s",
                            session.id(), statementId, reason(e));
                    ok.run();
                }
            };
            if (context != null) {
                auditor.runOn(context, done);
            } else {
                done.run();
            }
        });
    }

    private static String reason(Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (c instanceof TimeoutException) {
            return "no sink stored the record within the write timeout";
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** Where the rows of this session's completed statements are counted (see {@link AgentRate#rows}). */
    void countRows(LongConsumer counted) {
        this.rowsCounted = counted;
    }

    void completed(StatementRecord t, AuditEvent.Outcome outcome, String commandTag, Long rows, String sqlState,
                   Integer errno, long veilNanos, long upstreamNanos, AuditEvent.Decision after) {
        // The command's count (rows returned or affected); the rows seen when the command reports none.
        rowsCounted.accept(rows != null ? rows : t.rowsSeen());
        auditor.time(veilNanos, upstreamNanos);
        auditor.countMasks(t.decision().masks());
        if ("DDL".equals(t.decision().analysis().kind()) && outcome == AuditEvent.Outcome.OK) {
            // The schema changed, or will at commit: the catalog is read again once the transaction has ended.
            catalogChanged = true;
            auditor.catalogChanging(session.upstream());
        }
        recordInTurn(new AuditEvent.StatementCompleted(auditor.clock.instant(), session.id(), t.statementId(),
                session.identity().name(), outcome, commandTag, rows, veilNanos / 1000,
                Math.max(upstreamNanos, 0) / 1000, sqlState, errno, after));
    }

    /**
     * The session has no transaction open (any more). After DDL in the transaction that ended, the catalog is
     * read again now: not before, when the read would see the old catalog and could wait for the locks the
     * transaction holds. This session's next statement is analysed once that read is over (it ends within the
     * catalog's load timeout), so a session sees its own schema changes; other sessions never wait for it.
     */
    public void transactionIdle() {
        if (!catalogChanged) {
            return;
        }
        catalogChanged = false;
        Future<Void> refreshed = auditor.catalogChanged(session.upstream());
        Context context = Vertx.currentContext();
        if (refreshed.isComplete() || context == null) {
            catalogRefresh = refreshed;
            return;
        }
        Promise<Void> onSession = Promise.promise();
        refreshed.onComplete(ar -> context.runOnContext(v -> onSession.complete()));
        catalogRefresh = onSession.future();
    }

    /** Completes, on the session's context, once the catalog read after this session's own DDL is over. */
    public Future<Void> catalogSettled() {
        return catalogRefresh;
    }

    /** Records the end of the session (once). */
    public void ended(String reason) {
        if (ended) {
            return;
        }
        ended = true;
        if (catalogChanged) {
            catalogChanged = false;
            auditor.catalogChanged(session.upstream()); // its transaction ends with the session
        }
        recordInTurn(new AuditEvent.SessionEnded(auditor.clock.instant(), session.id(), session.identity().name(),
                Duration.between(session.startedAt(), auditor.clock.instant()).toMillis(), statements, reason));
    }

    public Session session() {
        return session;
    }
}
