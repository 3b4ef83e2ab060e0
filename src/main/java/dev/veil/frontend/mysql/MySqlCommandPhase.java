package dev.veil.frontend.mysql;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.frontend.HeldOutput;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.ResponseTracker.Shape;
import dev.veil.protocol.mysql.ServerStatus;
import dev.veil.session.Session;
import dev.veil.session.SessionRegistry;
import dev.veil.upstream.MySqlServerConnection;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;

/**
 * The command phase of one MySQL session: commands are taken whole (split packets joined), in order; each
 * passes the protocol admission rules and, when it carries a statement, the statement pipeline, before it
 * goes to the server. Commands that arrive while one is being decided wait behind it; commands Veil answers
 * itself (QUIT, KILL) wait until the server has answered everything sent before them, to keep order.
 * Protocol: dev.mysql.com "Client/Server Protocol", Command Phase.
 */
final class MySqlCommandPhase {
    private static final Logger LOG = Logger.getLogger(MySqlCommandPhase.class);
    private static final MySqlCommandAdmission ADMISSION = new MySqlCommandAdmission();
    private static final int WAITING_BEFORE_PAUSE = 256;

    /** What the phase needs from its client connection. */
    interface Connection {
        /** Logged in, not closed, holding its server connection. */
        boolean live();

        /** The error funnel: an ERR packet with this sequence id; a fatal one ends the connection. */
        void fail(VeilException e, int sequenceId);

        /** The client said COM_QUIT. */
        void quit();

        void pauseClient();

        void resumeClient();

        /** Gives the server connection back to the session's relay (after Veil ran commands of its own on it). */
        void relayAgain();

        /**
         * Adds {@code by} to the sequence ids of the next answer the server sends (an answer that follows packets
         * of Veil's own in the same exchange); only called between answers.
         */
        void renumberNextAnswer(int by);
    }

    /**
     * A whole command (split packets joined), the sequence id of its last packet, and, for a command that
     * came in one packet, that packet as received (forwarded as is, without copying).
     */
    private record Cmd(Buffer payload, int lastSeq, Buffer frame, VeilException refusal) {
        Cmd(Buffer payload, int lastSeq, Buffer frame) {
            this(payload, lastSeq, frame, null);
        }

        Cmd refused(VeilException e) {
            return new Cmd(payload, lastSeq, frame, e);
        }

        int code() {
            return payload.length() == 0 ? -1 : payload.getUnsignedByte(0);
        }
    }

    private final Connection connection;
    private final Session session;
    private final SessionRegistry sessions;
    private final MySqlServerConnection server;
    private final MySqlStatementFlow flow;
    private final HeldOutput out;
    private final Context context;
    private final int clientCaps;
    private final int maxMessageBytes;
    private final ArrayDeque<Cmd> waiting = new ArrayDeque<>();
    private Buffer partial;
    /** A command is being analysed / recorded: later ones wait behind it, in order. */
    private boolean admitting;
    /** A command under an affected-rows ceiling, waiting for the server to answer the commands sent before it. */
    private Runnable afterAnswers;

    MySqlCommandPhase(Connection connection, Session session, SessionRegistry sessions, MySqlServerConnection server,
                      MySqlStatementFlow flow, HeldOutput out, Context context, int clientCaps, int maxMessageBytes) {
        this.connection = connection;
        this.session = session;
        this.sessions = sessions;
        this.server = server;
        this.flow = flow;
        this.out = out;
        this.context = context;
        this.clientCaps = clientCaps;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** One packet of the command phase (a command of up to 16 MB, or one piece of a larger one). */
    void onPacket(int seq, Buffer buf, int off, int len) {
        if (!connection.live()) {
            return;
        }
        if (partial == null && seq != 0) {
            throw VeilException.fatal(ErrorCode.PACKETS_OUT_OF_ORDER, "Got packets out of order: a command must start with sequence id 0, got " + seq);
        }
        int size = (partial == null ? 0 : partial.length()) + len;
        if (size > maxMessageBytes) {
            throw packetTooLarge();
        }
        if (len == Packets.MAX_PAYLOAD) {
            if (partial == null) {
                partial = Buffer.buffer(Packets.MAX_PAYLOAD * 2);
            }
            partial.appendBuffer(buf, off, len);
            return;
        }
        Cmd cmd;
        if (partial != null) {
            cmd = new Cmd(partial.appendBuffer(buf, off, len), seq, null);
            partial = null;
        } else {
            // Slices share the read buffer, which Vert.x never reuses once handed to us.
            cmd = new Cmd(buf.slice(off, off + len), seq, buf.slice(off - 4, off + len));
        }
        if (admitting || !waiting.isEmpty()) {
            waiting.addLast(cmd);
            if (waiting.size() == WAITING_BEFORE_PAUSE) {
                // Only a client pipelining far ahead is paused: pausing on every statement costs system calls.
                connection.pauseClient();
            }
            return;
        }
        onCommand(cmd);
    }

    VeilException packetTooLarge() {
        return VeilException.fatal(ErrorCode.PACKET_TOO_LARGE, "Got a packet bigger than Veil's limit ("
                + maxMessageBytes + " bytes, veil.mysql.max-message-bytes; raise it to accept larger commands)");
    }

    /** Handles one command; false when it had to go back to wait for the server's earlier answers. */
    private boolean onCommand(Cmd cmd) {
        MySqlCommandAdmission.Verdict verdict;
        if (cmd.refusal() != null) {
            verdict = MySqlCommandAdmission.Verdict.refuse(cmd.refusal());
        } else {
            try {
                verdict = ADMISSION.admit(cmd.payload(), clientCaps);
            } catch (VeilException e) {
                // Refused at the protocol level: recorded by the pipeline first, then answered in its turn.
                admitting = true;
                flow.refused(cmd.payload(), e).onComplete(ar -> resumeWith(cmd.refused(ar.succeeded() ? ar.result() : e)));
                return true;
            }
        }
        if (verdict.forward()) {
            if (MySqlStatementFlow.needsDecision(cmd.code())) {
                admitting = true;
                MySqlCommandAdmission.Verdict v = verdict;
                flow.decide(cmd.payload()).onComplete(ar -> {
                    if (ar.succeeded() && ar.result().refusal() == null && ar.result().counted()) {
                        underCeiling(cmd, v, ar.result());
                        return;
                    }
                    if (ar.succeeded() && ar.result().refusal() == null) {
                        admitting = false;
                        if (connection.live()) {
                            forward(cmd, v, ar.result());
                            drainWaiting();
                        }
                        return;
                    }
                    VeilException e = ar.succeeded() ? ar.result().refusal() : ar.cause() instanceof VeilException ve ? ve
                            : VeilException.error(ErrorCode.INTERNAL, "statement refused: " + ar.cause().getMessage());
                    resumeWith(cmd.refused(e));
                });
                return true;
            }
            forward(cmd, verdict, null);
            return true;
        }
        // Veil answers itself: wait until the server has answered everything sent before, to keep order.
        if (server.pendingResponses() > 0) {
            waiting.addFirst(verdict.refusal() != null ? cmd.refused(verdict.refusal()) : cmd);
            return false;
        }
        runLocally(cmd, verdict);
        return true;
    }

    /**
     * Runs a command under an enforced affected-rows ceiling ({@link MySqlCeilingRun}) once the server has
     * answered everything sent before it; the commands behind it wait until its answer is out.
     */
    private void underCeiling(Cmd cmd, MySqlCommandAdmission.Verdict verdict, MySqlStatementFlow.Decided decided) {
        if (!connection.live()) {
            admitting = false;
            return;
        }
        if (server.pendingResponses() > 0) {
            afterAnswers = () -> underCeiling(cmd, verdict, decided);
            return;
        }
        MySqlCeilingRun run = new MySqlCeilingRun(server, new MySqlCeilingRun.Client() {
            @Override
            public void relayAgain() {
                connection.relayAgain();
            }

            @Override
            public boolean live() {
                return connection.live();
            }

            @Override
            public void fail(VeilException e, int sequenceId) {
                connection.fail(e, sequenceId);
            }
        }, out, clientCaps, decided.ceiling(), decided.ticket(), (cmd.lastSeq() + 1) & 0xFF,
                decided.masking().isEmpty() ? null : decided.masking().identifiers());
        run.run(cmd.payload(), verdict.shape()).onComplete(ar -> {
            admitting = false;
            if (ar.failed()) {
                LOG.debugf("session %d: a statement under the rows ceiling ended with its connection: %s", session.id(),
                        ar.cause().getMessage());
                return;
            }
            if (connection.live()) {
                if (!server.inTransaction()) {
                    flow.transactionIdle();
                }
                drainWaiting();
            }
        });
    }

    /** The pipeline answered for a command that is refused: it goes first in line, answered in its turn. */
    private void resumeWith(Cmd refused) {
        admitting = false;
        if (!connection.live()) {
            return;
        }
        waiting.addFirst(refused);
        drainWaiting();
    }

    private void forward(Cmd cmd, MySqlCommandAdmission.Verdict verdict, MySqlStatementFlow.Decided decided) {
        if (verdict.changesSchema()) {
            server.noteSchemaChange();
            if (cmd.code() == Command.COM_INIT_DB) {
                flow.schemaSelected(cmd.payload().getString(1, cmd.payload().length(), "UTF-8"));
            }
        }
        if (cmd.code() == Command.COM_STMT_CLOSE) {
            flow.closed(cmd.payload());
        }
        if (decided != null && decided.ticket() != null && !decided.ticket().durable().isComplete()) {
            out.holdUntil(decided.ticket().durable(), this::answerWithheld);
        }
        server.send(cmd.frame() != null ? cmd.frame() : Packets.frame(0, cmd.payload()), cmd.code(), verdict.shape());
        flow.forwarded(cmd.code(), cmd.payload(), decided, verdict.shape() != null);
    }

    /** A read ran ahead of its audit fsync and the record could not be made durable: its answer is never sent. */
    private void answerWithheld(Throwable cause) {
        if (!connection.live()) {
            return;
        }
        LOG.warnf("session %d: ending it, an answer is withheld: %s", session.id(), cause.getMessage());
        connection.fail(VeilException.fatal(cause instanceof VeilException ve ? ve.code() : ErrorCode.INTERNAL,
                "terminating connection: the answer to a statement is withheld because Veil could not make its audit "
                        + "record durable (" + cause.getMessage() + ")"), 0);
    }

    private void runLocally(Cmd cmd, MySqlCommandAdmission.Verdict verdict) {
        int replySeq = (cmd.lastSeq() + 1) & 0xFF;
        if (verdict.refusal() != null) {
            connection.fail(verdict.refusal(), replySeq);
            return;
        }
        switch (verdict.local()) {
            case QUIT -> connection.quit();
            case KILL -> {
                Session target = killTarget(verdict.killId(), verdict.killConnection(), replySeq);
                if (target == null) {
                    return;
                }
                if (verdict.rest() == null) {
                    kill(target, verdict.killConnection(), replySeq, 0);
                } else {
                    killThenRest(target, verdict, replySeq);
                }
            }
            default -> throw new IllegalStateException(verdict.local().name());
        }
    }

    /**
     * The live session a KILL [QUERY|CONNECTION] of a connection id of Veil's handshake reaches, or null when the
     * KILL was answered with an error: an id that is no session the caller may end, or the caller's own connection.
     */
    private Session killTarget(long id, boolean wholeConnection, int replySeq) {
        Session target = sessions.find(id).orElse(null);
        boolean allowed = target != null && (target.identity().name().equals(session.identity().name())
                || session.identity().roles().contains("admin"));
        if (!allowed) {
            // Sessions of other identities are reported as unknown, as the server does for threads one may not see.
            connection.fail(VeilException.error(ErrorCode.UNKNOWN_THREAD, "Unknown thread id: " + id), replySeq);
            return null;
        }
        if (wholeConnection && target == session) {
            // Killing one's own connection: the server answers with an error and closes it.
            connection.fail(VeilException.fatal(ErrorCode.QUERY_CANCELED, "Connection was killed"), replySeq);
            return null;
        }
        return target;
    }

    /** Reaches the target's server thread, then answers OK ({@code moreStatus}: MORE_RESULTS_EXISTS when more follows). */
    private void kill(Session target, boolean wholeConnection, int replySeq, int moreStatus) {
        target.cancel();
        if (wholeConnection) {
            target.terminate();
        }
        boolean sessionTrack = Capabilities.has(clientCaps, Capabilities.SESSION_TRACK);
        out.write(Packets.frame(replySeq, new OkPacket(0, 0, statusFlags() | moreStatus, 0, "").encode(sessionTrack)));
    }

    /**
     * "KILL QUERY n; SELECT SLEEP(0)": the statements after the KILL are decided and recorded like any query;
     * refused, they refuse the whole text and the KILL does not run (the server would stop at that statement,
     * Veil does not run half of a text it refuses). Allowed, the KILL runs, its OK says more results follow,
     * and the rest goes to the server as a query of its own, whose answer is renumbered to follow the OK.
     */
    private void killThenRest(Session target, MySqlCommandAdmission.Verdict verdict, int replySeq) {
        Buffer restPayload = Buffer.buffer().appendByte((byte) Command.COM_QUERY).appendString(verdict.rest(), "UTF-8");
        Cmd rest = new Cmd(restPayload, 0, null);
        admitting = true;
        flow.decide(restPayload).onComplete(ar -> {
            if (ar.succeeded() && ar.result().refusal() == null) {
                admitting = false;
                if (connection.live()) {
                    kill(target, verdict.killConnection(), replySeq, ServerStatus.MORE_RESULTS_EXISTS);
                    // The server numbers its answer from the packet after the command's last; the client expects
                    // the packet after Veil's OK.
                    connection.renumberNextAnswer(replySeq + 1 - Packets.packetCount(restPayload.length()));
                    forward(rest, verdict.changesSchema() ? MySqlCommandAdmission.Verdict.forwardChangingSchema(Shape.RESULT)
                            : MySqlCommandAdmission.Verdict.forward(Shape.RESULT), ar.result());
                    drainWaiting();
                }
                return;
            }
            VeilException e = ar.succeeded() ? ar.result().refusal() : ar.cause() instanceof VeilException ve ? ve
                    : VeilException.error(ErrorCode.INTERNAL, "statement refused: " + ar.cause().getMessage());
            admitting = false;
            if (connection.live()) {
                connection.fail(e, replySeq);
                drainWaiting();
            }
        });
    }

    private int statusFlags() {
        return server != null && server.inTransaction() ? ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS : ServerStatus.AUTOCOMMIT;
    }

    /** The server has answered the oldest command; its last packet has been relayed. */
    void onResponseComplete(boolean error, long rows) {
        var t = server.tracker();
        flow.completed(error, rows, t.lastPreparedStatementId(), t.lastErrorCode(), t.lastSqlState(),
                server.inTransaction());
        if (afterAnswers != null && server.pendingResponses() == 0) {
            Runnable next = afterAnswers;
            afterAnswers = null;
            context.runOnContext(v -> next.run()); // once the relay has written this answer
        }
        if (!admitting && !waiting.isEmpty() && server.pendingResponses() == 0) {
            context.runOnContext(v -> drainWaiting());
        }
    }

    private void drainWaiting() {
        while (!admitting && !waiting.isEmpty() && connection.live()) {
            if (!onCommand(waiting.pollFirst())) {
                break;
            }
        }
        if (waiting.isEmpty() && connection.live()) {
            connection.resumeClient();
        }
    }
}
