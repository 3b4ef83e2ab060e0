package dev.veil.frontend.pg;

import dev.veil.analysis.Dialect;
import dev.veil.audit.AuditEvent;
import dev.veil.frontend.pg.PgOwed.Kind;
import dev.veil.frontend.pg.PgOwed.Portal;
import dev.veil.protocol.pg.NoticeResponse;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.FunctionCall;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.policy.RowCeiling;
import dev.veil.session.FastPathCall;
import dev.veil.session.Statement;
import dev.veil.session.StatementPipeline;
import dev.veil.session.StatementRecord;
import dev.veil.session.Ticket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statement side of the relay: record before run. A Query, or the first Execute of a portal, is held
 * (with everything the client sends after it) until its decision record is stored; then it goes upstream.
 * When the record cannot be stored, the client gets an ErrorResponse in its turn (after the answers to
 * what it sent before) and the connection stays usable: after a Query, the error and ReadyForQuery; after
 * an Execute, what follows up to Sync is skipped as the server itself would, the Sync goes upstream, and
 * the error is sent just before the server's ReadyForQuery for that Sync (so after the ParseComplete /
 * BindComplete the server still owes for that batch).
 *
 * <p>A read the audit lets run before its record is fsync'd (veil.audit.reads-durable-before=reply) goes
 * upstream at once; what the client would receive from then on is held by the connection until the
 * record is durable, and dropped (the session ends with 53000) if it cannot be made so.
 *
 * <p>Server frames are followed to complete each statement's record: rows from CommandComplete tags (and
 * DataRows for portals fetched in parts), SQLSTATE of errors, statements skipped after an error.
 * Extended query protocol: https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 */
final class PgStatementFlow {
    /** What the flow needs from its connection. */
    interface Relay {
        /** Sends a client frame upstream (gathered; see {@link #flushToServer()}). */
        void forward(PgFrame frame);

        void flushToServer();

        void pauseClient();

        void resumeClient();

        /** Writes bytes of Veil's own to the client, after the server frames relayed so far. */
        void sendToClient(Buffer bytes);

        char transactionStatus();

        boolean open();

        /**
         * Holds what goes to the client from now on (server frames and Veil's own) until {@code durable}
         * completes; when it fails, drops it and ends the session.
         */
        void holdAnswersUntil(Future<Void> durable);
    }

    private final Relay relay;
    private final StatementPipeline pipeline;
    private final boolean recordParameters;
    private final PgSessionMasking masking;
    private final Map<String, String> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();
    private final ArrayDeque<PgOwed> owed = new ArrayDeque<>();
    private final ArrayDeque<PgFrame> held = new ArrayDeque<>();
    private static final int HELD_FRAMES_BEFORE_PAUSE = 256;
    private static final Buffer NOTHING = Buffer.buffer(0);
    private boolean waiting;
    private boolean paused;
    private boolean skipUntilSync;
    private Buffer refusalBeforeSync;
    /** An error ended the current extended batch: Executes owed up to its Sync were skipped by the server. */
    private boolean batchFailed;
    /** The statement running under an enforced affected-rows ceiling, while it runs (client frames wait). */
    private PgCeilingRun counting;
    /** The Execute running under an enforced affected-rows ceiling (extended protocol), while it runs. */
    private PgExecuteCeiling executing;
    private final PgBatchState batch = new PgBatchState();
    /** Set from a Sync sent inside Veil's own transaction until that transaction is ended after the Sync. */
    private PgVeilsCommit veilsCommit;
    /**
     * The client's Sync, held while an Execute whose rows Veil masks is still owed in its batch (a Flush went in its
     * place): should that result be withheld, Veil makes the batch fail before the Sync ({@link #withheldInBatch}).
     */
    private PgFrame heldSync;
    /**
     * A masked Execute's result was withheld (42501 in its place) in the batch now being answered: as after an error,
     * the rest of the batch's answers up to its ReadyForQuery are dropped and the client's messages up to its Sync
     * are not sent; before the Sync, Veil's failing Parse puts the server in the same state, so the batch's implicit
     * transaction is rolled back (or the client's transaction is aborted) as an error there would.
     */
    private boolean withheldInBatch;
    /** Veil's statement that fails on purpose (a syntax error): its name never collides with a client's. */
    private static final String WITHHELD_NAME = "veil_withheld";

    PgStatementFlow(Relay relay, StatementPipeline pipeline, boolean recordParameters, PgSessionMasking masking) {
        this.relay = relay;
        this.pipeline = pipeline;
        this.recordParameters = recordParameters;
        this.masking = masking;
        // A statement waiting for approval: the notice goes out now (the flow sends nothing else meanwhile).
        pipeline.onApprovalNotice(message -> relay.sendToClient(new NoticeResponse(APPROVAL_NOTICE, message).encode()));
    }

    /** SQLSTATE 01000 (warning): what the server uses for a notice that is not about a specific condition. */
    private static final String APPROVAL_NOTICE = "01000";

    /** True while the flow keeps the client paused (a long pipeline behind a statement being recorded). */
    boolean pausedClient() {
        return paused;
    }

    // ---- client to server ----------------------------------------------------------------------------

    void onClientFrame(PgFrame frame) {
        if (waiting) {
            held.add(frame);
            if (held.size() == HELD_FRAMES_BEFORE_PAUSE && !paused) {
                // Only a client pipelining far ahead is paused: pausing on every statement costs system calls.
                paused = true;
                relay.pauseClient();
            }
            return;
        }
        handle(frame);
    }

    private void handle(PgFrame frame) {
        byte t = frame.type();
        if (skipUntilSync) {
            if (t != 'S') {
                return;
            }
            skipUntilSync = false;
        }
        if (t == 'S' && holdSync(frame)) {
            return;
        }
        if (t != 'Q' && t != 'F') {
            batch.sent(frame); // a Query or FunctionCall counts once it goes upstream (a refused one does not)
        }
        switch (t) {
            case 'Q' -> decide(frame, Kind.QUERY, null,
                    pipeline.submit(Statement.query(Dialect.POSTGRESQL, FrontendMessage.Query.decode(frame).sql())));
            case 'F' -> {
                // Answered like a Query: FunctionCallResponse (or an error), then ReadyForQuery.
                FunctionCall call = FunctionCall.decode(frame);
                decide(frame, Kind.QUERY, null, pipeline.submit(new FastPathCall(call.functionOid(), call.renderedArguments())));
            }
            case 'P' -> {
                FrontendMessage.Parse p = FrontendMessage.Parse.decode(frame);
                statements.put(p.statementName(), p.sql());
                masking.columns().parsed(p.statementName());
                relay.forward(frame);
            }
            case 'B' -> {
                FrontendMessage.Bind b = FrontendMessage.Bind.decode(frame);
                closePortal(b.portal());
                String sql = statements.get(b.statementName());
                Portal portal = new Portal(Statement.execute(Dialect.POSTGRESQL, b.statementName(),
                        sql == null ? "-- prepared statement \"" + b.statementName() + "\" (not prepared through this session)" : sql,
                        recordParameters ? b.renderedParameters() : null));
                portal.columns = masking.columns().bound(b.portal(), b.statementName(), b.resultFormats());
                portals.put(b.portal(), portal);
                relay.forward(frame);
            }
            case 'E' -> {
                String name = FrontendMessage.Execute.decode(frame).portal();
                Portal p = portals.get(name);
                if (p == null || p.ticket != null) {
                    // No such portal (the server will say so), or the next part of a suspended one.
                    forward(frame, Kind.EXECUTE, p == null ? null : p.ticket, p);
                    owed.peekLast().mask = p == null ? null : p.mask;
                } else {
                    decide(frame, Kind.EXECUTE, p, pipeline.submit(p.statement));
                }
            }
            case 'S' -> {
                if (withheldInBatch) {
                    relay.forward(failingParse());
                }
                forward(frame, Kind.SYNC, null, null);
                owed.peekLast().errorBeforeReady = refusalBeforeSync;
                refusalBeforeSync = null;
                if (batch.veilsTransaction()) {
                    veilsCommit = new PgVeilsCommit(); // what follows waits until Veil's transaction is ended
                    waiting = true;
                }
            }
            case 'C' -> {
                FrontendMessage.Close c = FrontendMessage.Close.decode(frame);
                if (c.kind() == 'S') {
                    statements.remove(c.name());
                } else {
                    closePortal(c.name());
                }
                masking.columns().closed(c.kind(), c.name());
                relay.forward(frame);
            }
            case 'D' -> {
                masking.columns().describing(frame);
                relay.forward(frame);
            }
            default -> relay.forward(frame);
        }
    }

    private void forward(PgFrame frame, Kind kind, StatementRecord ticket, Portal portal) {
        if (ticket != null) {
            ticket.forwarded();
        }
        owed.add(new PgOwed(kind, ticket, portal, null));
        relay.forward(frame);
    }

    /** Acts on {@code decision} now when it is known (an analysis from the cache), else holds the client until it is. */
    private void decide(PgFrame frame, Kind kind, Portal portal, Future<Ticket> decision) {
        if (decision.succeeded()) {
            act(frame, kind, portal, decision.result());
            return;
        }
        waiting = true;
        relay.flushToServer();
        decision.onComplete(ar -> {
            waiting = false;
            if (!relay.open()) {
                if (ar.succeeded() && ar.result() instanceof Ticket.Run run && run.record() != null) {
                    run.record().completed(AuditEvent.Outcome.INTERRUPTED, null, null, null);
                }
                return;
            }
            if (ar.succeeded()) {
                act(frame, kind, portal, ar.result());
            } else {
                refuse(kind, ar.cause());
            }
            drainHeld();
        });
    }

    /** Handles the client frames that waited, until one has to wait again. */
    private void drainHeld() {
        while (!waiting && !held.isEmpty()) {
            handle(held.poll());
        }
        relay.flushToServer();
        if (!waiting && paused) {
            paused = false;
            relay.resumeClient();
        }
    }

    private void act(PgFrame frame, Kind kind, Portal portal, Ticket ticket) {
        if (ticket instanceof Ticket.Run run) {
            RowCeiling ceiling = run.ceiling();
            PgResultMask mask = kind == Kind.QUERY
                    ? masking.forQuery(run.masking(), frame.type() == 'Q' ? FrontendMessage.Query.decode(frame).sql() : null)
                    : masking.forExecute(run.masking(), portal == null ? null : portal.statement.sql(),
                    portal == null ? null : portal.columns);
            if (ceiling != null && !ceiling.observe() && kind == Kind.QUERY) {
                // Started once everything sent before is answered, so the transaction status is the statement's.
                counting = new PgCeilingRun(PgFrame.of(frame.bytes().copy()), run.record(), ceiling, mask);
                waiting = true;
                startCounting();
                return;
            }
            if (ceiling != null && !ceiling.observe() && kind == Kind.EXECUTE) {
                countExecute(frame, portal, run.record(), ceiling, mask);
                return;
            }
            if (mask != null && !mask.sentFirst().isEmpty()) {
                // The masked COPY's Describe goes first, in the same write: its answers are Veil's alone.
                PgOwed veils = new PgOwed(Kind.VEIL, null, null, null);
                veils.mask = mask;
                owed.add(veils);
                mask.sentFirst().forEach(relay::forward);
            }
            proceed(frame, kind, portal, run.record());
            owed.peekLast().mask = mask;
            if (portal != null) {
                portal.mask = mask;
            }
            if (ceiling != null && ceiling.observe()) {
                owed.peekLast().observed = ceiling;
            }
        } else {
            refuse(kind, ((Ticket.Refuse) ticket).error());
        }
    }

    private void proceed(PgFrame frame, Kind kind, Portal portal, StatementRecord ticket) {
        if (portal != null) {
            portal.ticket = ticket;
        }
        if (!ticket.durable().isComplete()) {
            relay.holdAnswersUntil(ticket.durable());
        }
        if (kind == Kind.QUERY) {
            batch.sent(frame);
        }
        forward(frame, kind, ticket, portal);
    }

    private void refuse(Kind kind, Throwable cause) {
        VeilException e = cause instanceof VeilException ve ? ve
                : VeilException.error(ErrorCode.INTERNAL, "internal error in Veil: " + cause);
        Buffer error = ErrorResponse.of(e).encode();
        if (kind == Kind.EXECUTE) {
            skipUntilSync = true; // as the server does after an error: nothing runs until Sync
            refusalBeforeSync = error;
        } else {
            owed.add(new PgOwed(Kind.REPLY, null, null, error));
            sendOwedReplies();
        }
    }

    // ---- a withheld result in an extended batch ------------------------------------------------------------

    /** Holds the Sync while a masked Execute is owed; a Flush asks the server for the answers meanwhile. */
    private boolean holdSync(PgFrame sync) {
        if (!maskedExecuteOwed()) {
            return false;
        }
        heldSync = PgFrame.of(sync.bytes().copy());
        waiting = true;
        relay.forward(PgExecuteCeiling.flush());
        relay.flushToServer();
        return true;
    }

    private boolean maskedExecuteOwed() {
        for (PgOwed p : owed) {
            if (p.kind == Kind.EXECUTE && p.mask != null && p.mask.rewritesRows()) {
                return true;
            }
        }
        return false;
    }

    /** The held Sync goes once no masked Execute is owed any more (after Veil's failing Parse if one was withheld). */
    private void releaseSync() {
        if (heldSync == null || maskedExecuteOwed()) {
            return;
        }
        PgFrame sync = heldSync;
        heldSync = null;
        waiting = false;
        handle(sync);
        drainHeld();
    }

    /** A Parse the server refuses (syntax error): the batch fails there, and the server skips the rest up to Sync. */
    private static PgFrame failingParse() {
        Buffer body = Buffer.buffer().appendString(WITHHELD_NAME).appendByte((byte) 0)
                .appendString("VEIL WITHHELD A RESULT OF THIS BATCH").appendByte((byte) 0).appendShort((short) 0);
        return PgFrame.of(Buffer.buffer().appendByte((byte) 'P').appendInt(4 + body.length()).appendBuffer(body));
    }

    // ---- affected-rows ceiling -----------------------------------------------------------------------

    /** Starts the statement waiting to be counted once the server owes nothing for what was sent before it. */
    private void startCounting() {
        if (executing != null && !executing.started() && owed.isEmpty() && batch.settled()) {
            startExecute();
        }
        if (counting == null || counting.started() || !owed.isEmpty()) {
            return;
        }
        follow(counting.start(relay.transactionStatus()));
    }

    /** Whether a server frame is kept from the client: Veil's own answers, and the counted statement's. */
    boolean holds(PgFrame frame) {
        PgOwed head = owed.peek();
        if (head != null && head.kind == Kind.VEIL) {
            head.mask.answeredFirst(frame);
            return true;
        }
        if (veilsCommit != null) {
            return veilsCommit.holds(frame, syncAnswered());
        }
        if (executing != null) {
            return executing.started() && executing.holds(frame);
        }
        return counting != null && counting.started() && counting.holds(frame);
    }

    /**
     * An Execute under an enforced ceiling ({@link PgExecuteCeiling}) starts once the server has answered what the
     * client sent before it; the client's next messages wait meanwhile.
     */
    private void countExecute(PgFrame frame, Portal portal, StatementRecord record, RowCeiling ceiling, PgResultMask mask) {
        portal.ticket = record;
        portal.mask = mask;
        executing = new PgExecuteCeiling(PgFrame.of(frame.bytes().copy()), portal, record, ceiling, mask);
        waiting = true;
        relay.forward(PgExecuteCeiling.flush()); // the answers owed before it come only with a Sync or a Flush
        relay.flushToServer();
        startCounting();
    }

    private void startExecute() {
        List<PgFrame> send = batchFailed ? null : executing.start(batch.status(), batch.veilsTransaction());
        if (send == null) {
            // The batch or the transaction failed: the server runs nothing, the Execute goes as it is.
            PgExecuteCeiling run = executing;
            executing = null;
            waiting = false;
            forward(run.execute, Kind.EXECUTE, run.record, (Portal) run.portal);
            drainHeld();
            return;
        }
        send.forEach(relay::forward);
        relay.flushToServer();
    }

    /** Follows a server frame of the counted Execute's run; once over, the client gets its answer or the refusal. */
    private void followExecute(PgFrame frame) {
        List<PgFrame> send = executing.onServerFrame(frame);
        if (!send.isEmpty()) {
            send.forEach(relay::forward);
            relay.flushToServer();
        }
        if (!executing.over()) {
            return;
        }
        PgExecuteCeiling run = executing;
        executing = null;
        run.veilsTransaction(batch);
        if (run.answer().length() > 0) {
            relay.sendToClient(run.answer());
        }
        batchFailed |= run.batchFailed();
        Portal portal = (Portal) run.portal;
        portal.ticket = null; // a completed portal runs again only through a new Execute decision
        portals.values().remove(portal);
        if (run.refusal() != null) {
            refuse(Kind.EXECUTE, run.refusal());
        }
        waiting = false;
        drainHeld();
    }

    /** Whether the next ReadyForQuery answers a Sync (not a Query). */
    private boolean syncAnswered() {
        for (PgOwed p : owed) {
            if (p.kind == Kind.QUERY || p.kind == Kind.SYNC) {
                return p.kind == Kind.SYNC;
            }
        }
        return false;
    }

    /** Follows a server frame while Veil ends its own transaction after the client's Sync ({@link PgVeilsCommit}). */
    private void followVeilsCommit(PgFrame frame) {
        if (veilsCommit.ending()) {
            if (frame.type() == ReadyForQuery.TYPE) {
                char status = ReadyForQuery.statusOf(frame);
                veilsCommit = null;
                relay.sendToClient(new ReadyForQuery(status).encode());
                onReadyForQuery(status);
                waiting = false;
                drainHeld();
            }
            return;
        }
        boolean syncReady = frame.type() == ReadyForQuery.TYPE && syncAnswered();
        if (syncReady) {
            PgFrame end = veilsCommit.onSyncAnswered(ReadyForQuery.statusOf(frame));
            if (end != null) {
                relay.forward(end);
                relay.flushToServer();
                return;
            }
            veilsCommit = null;
        }
        followBatch(frame);
        if (syncReady) {
            waiting = false;
            drainHeld();
        }
    }

    /** Does what the counted statement's run says next. */
    private void follow(PgCeilingRun.Next next) {
        if (next == null) {
            return;
        }
        if (next.send() != null) {
            relay.forward(next.send());
            relay.flushToServer();
            return;
        }
        relay.sendToClient(next.answer());
        counting = null;
        waiting = false;
        onReadyForQuery(next.status());
        drainHeld();
    }

    /** Forgets a portal; a suspended one (no Execute of it still owed) is recorded as ended here. */
    private void closePortal(String name) {
        Portal old = portals.remove(name);
        masking.columns().closed('P', name);
        if (old != null && old.ticket != null && !old.ticket.isDone() && owed.stream().noneMatch(p -> p.ticket == old.ticket)) {
            old.ticket.completed(AuditEvent.Outcome.OK, null, old.ticket.rowsSeen(), null);
        }
    }

    // ---- server to client ----------------------------------------------------------------------------

    /** What a server frame becomes for the client: the answer it belongs to (the oldest owed) masks it or not. */
    Buffer rewrite(PgFrame frame) {
        if (withheldInBatch) {
            if (frame.type() != ReadyForQuery.TYPE) {
                return NOTHING; // skipped, as after an error: the client has the refusal already
            }
            withheldInBatch = false;
            masking.rewrite(frame, null, false);
            return null;
        }
        PgOwed head = owed.peek();
        Buffer out = masking.rewrite(frame, head == null ? null : head.mask, head != null && head.kind == Kind.QUERY);
        if (head != null && head.kind == Kind.EXECUTE && (frame.type() == 'C' || frame.type() == 's') && out != null
                && out.length() > 0 && out.getByte(0) == ErrorResponse.TYPE) {
            withheldInBatch = true;
            skipUntilSync = true; // what the client sends from now on up to its Sync does not run
        }
        return out;
    }

    /** Called before a server frame is relayed: a refusal owed before a Sync's ReadyForQuery goes out now. */
    void beforeServerFrame(PgFrame frame) {
        if (frame.type() != 'Z') {
            return;
        }
        for (PgOwed p : owed) {
            if (p.kind == Kind.QUERY) {
                return;
            }
            if (p.kind == Kind.SYNC) {
                if (p.errorBeforeReady != null) {
                    relay.sendToClient(p.errorBeforeReady);
                    p.errorBeforeReady = null;
                }
                return;
            }
        }
    }

    /** Follows one server frame, after it was relayed to the client. */
    void onServerFrame(PgFrame frame) {
        if (counting != null && counting.started()) {
            follow(counting.onServerFrame(frame));
            return;
        }
        if (executing != null && executing.started()) {
            followExecute(frame);
            return;
        }
        if (veilsCommit != null) {
            followVeilsCommit(frame);
            return;
        }
        followBatch(frame);
    }

    private void followBatch(PgFrame frame) {
        PgOwed head = owed.peek();
        if (head != null && head.kind == Kind.VEIL) {
            if (frame.type() == ReadyForQuery.TYPE) {
                owed.poll(); // the statement's own answer follows
            }
            return;
        }
        batch.received(frame, head == null || head.kind != Kind.QUERY);
        if (head == null) {
            // ParseComplete, BindComplete, … (or NOTICE, NOTIFY, ParameterStatus between statements): a counted
            // Execute may start once the last of them is in
            startCounting();
            return;
        }
        switch (frame.typeChar()) {
            case 'D' -> {
                if (head.ticket != null) {
                    head.ticket.rows(1);
                }
            }
            case 'C' -> {
                String tag = CommandTags.of(frame);
                if (head.kind == Kind.QUERY) {
                    head.lastTag = tag;
                    Long n = CommandTags.rows(tag);
                    if (n != null) {
                        head.tagRows += n;
                        head.anyTagRows = true;
                    }
                } else if (head.kind == Kind.EXECUTE) {
                    owed.poll();
                    batch.executed(tag, head.portal == null ? null : head.portal.statement.sql());
                    if (head.ticket != null) {
                        Long n = head.ticket.rowsSeen() > 0 ? Long.valueOf(head.ticket.rowsSeen()) : CommandTags.rows(tag);
                        head.ticket.completed(AuditEvent.Outcome.OK, tag, n, null, null, observed(head, tag), null);
                    }
                    if (head.portal != null) {
                        head.portal.ticket = null; // a completed portal runs again only through a new Execute decision
                        portals.values().remove(head.portal);
                    }
                }
            }
            case 's' -> {
                if (head.kind == Kind.EXECUTE) {
                    owed.poll(); // PortalSuspended: the portal's ticket stays open for the next Execute
                }
            }
            case 'I' -> {
                if (head.kind == Kind.EXECUTE) {
                    owed.poll();
                    if (head.ticket != null) {
                        head.ticket.completed(AuditEvent.Outcome.OK, null, 0L, null);
                    }
                }
            }
            case 'E' -> {
                String state = ErrorResponse.decode(frame).sqlState();
                if (head.kind == Kind.QUERY) {
                    if (head.sqlState == null) {
                        head.sqlState = state;
                    }
                } else if (head.kind == Kind.EXECUTE) {
                    owed.poll();
                    if (head.ticket != null) {
                        head.ticket.completed(AuditEvent.Outcome.ERROR, null, null, state);
                    }
                    batchFailed = true;
                } else if (head.kind == Kind.SYNC) {
                    batchFailed = true; // a Parse or Bind failed: the Executes owed before Sync are skipped
                }
            }
            case 'Z' -> onReadyForQuery(ReadyForQuery.statusOf(frame));
            default -> { }
        }
        sendOwedReplies();
        startCounting();
        releaseSync();
    }

    private void onReadyForQuery(char status) {
        batch.ready(status);
        PgOwed p;
        while ((p = owed.poll()) != null) {
            if (p.kind == Kind.QUERY) {
                if (p.ticket != null) {
                    p.ticket.completed(p.sqlState == null ? AuditEvent.Outcome.OK : AuditEvent.Outcome.ERROR, p.lastTag,
                            p.anyTagRows ? p.tagRows : null, p.sqlState, null,
                            p.sqlState == null ? observed(p, p.lastTag) : null, null);
                }
                break;
            }
            if (p.kind == Kind.SYNC) {
                break;
            }
            if (p.kind == Kind.EXECUTE && p.ticket != null && !p.ticket.isDone()) {
                p.ticket.completed(batchFailed ? AuditEvent.Outcome.SKIPPED : AuditEvent.Outcome.OK, null, p.ticket.rowsSeen(), null);
            }
        }
        batchFailed = false;
        if (status == ReadyForQuery.IDLE) {
            // The transaction is over: suspended portals in it are gone.
            for (String name : List.copyOf(portals.keySet())) {
                Portal portal = portals.get(name);
                if (portal.ticket != null) {
                    closePortal(name);
                }
            }
            pipeline.transactionIdle();
            masking.transactionIdle();
        }
    }

    /** An observed ceiling is recorded with a statement that reported its rows (not with one that reports none). */
    private static RowCeiling observed(PgOwed p, String tag) {
        return p.observed != null && CommandTags.counting(tag) ? p.observed : null;
    }

    /** Sends Veil's own replies that have reached the head of the queue. */
    private void sendOwedReplies() {
        PgOwed head;
        while ((head = owed.peek()) != null && head.kind == Kind.REPLY) {
            owed.poll();
            // The status is read now, once everything before the refused Query has been answered.
            relay.sendToClient(head.reply.copy().appendBuffer(new ReadyForQuery(relay.transactionStatus()).encode()));
        }
    }

    /** The session is over: statements still running are recorded as interrupted. */
    void close(String reason) {
        if (counting != null && !counting.record.isDone()) {
            counting.record.completed(AuditEvent.Outcome.INTERRUPTED, null, null, null);
        }
        if (executing != null && !executing.record.isDone()) {
            executing.record.completed(AuditEvent.Outcome.INTERRUPTED, null, null, null);
        }
        for (PgOwed p : owed) {
            if (p.ticket != null && !p.ticket.isDone()) {
                p.ticket.completed(AuditEvent.Outcome.INTERRUPTED, null, p.ticket.rowsSeen() > 0 ? p.ticket.rowsSeen() : null, null);
            }
        }
        owed.clear();
        for (Portal p : portals.values()) {
            if (p.ticket != null && !p.ticket.isDone()) {
                p.ticket.completed(AuditEvent.Outcome.INTERRUPTED, null, p.ticket.rowsSeen(), null);
            }
        }
        portals.clear();
        pipeline.ended(reason);
    }
}
