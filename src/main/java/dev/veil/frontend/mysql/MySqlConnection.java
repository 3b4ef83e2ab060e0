package dev.veil.frontend.mysql;

import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.config.ListenerTlsMode;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.MalformedPacketException;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.ResponseTracker;
import dev.veil.protocol.mysql.SSLRequest;
import dev.veil.protocol.mysql.ServerStatus;
import dev.veil.protocol.mysql.PacketTooLargeException;
import dev.veil.identity.Identity;
import dev.veil.session.Session;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.MySqlProfile;
import dev.veil.upstream.MySqlServerConnection;
import dev.veil.upstream.UpstreamException;
import dev.veil.upstream.UpstreamPool;
import dev.veil.upstream.UpstreamRouter;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import dev.veil.frontend.HeldOutput;
import dev.veil.frontend.LoopbackAddress;
import io.netty.channel.ChannelPipeline;

/**
 * One MySQL client connection, confined to the event loop that accepted it: handshake, optional TLS,
 * authentication, leasing a server connection, then the command phase, where commands are relayed and
 * answers come back byte for byte. Every error Veil raises goes out through {@link #fail}.
 * Protocol: dev.mysql.com "Client/Server Protocol" (Connection Phase, Command Phase).
 */
final class MySqlConnection {
    private static final Logger LOG = Logger.getLogger(MySqlConnection.class);
    private static final String FALLBACK_VERSION = "8.0.40-Veil";

    private enum State { HANDSHAKE, AUTHENTICATING, CONNECTING, READY, CLOSED }

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

    private final NetSocket socket;
    private final MySqlFrontend frontend;
    private final Context context;
    private final PacketDecoder decoder = PacketDecoder.beforeLogin();
    private final boolean loopback;
    private final String clientHost;
    private final long connectionId;
    private final byte[] nonce = new byte[20];
    private final int offered;
    private final long authTimer;

    private State state = State.HANDSHAKE;
    private boolean tls;
    private int sequence;
    private int clientCaps;
    private int charset;
    private MySqlAuthFlow auth;
    private UpstreamRouter.Route route;
    private UpstreamPool<MySqlServerConnection> pool;
    private MySqlServerConnection server;
    private Session session;
    private Buffer partial;
    private Buffer handshakeBytes;
    private final ArrayDeque<Cmd> waiting = new ArrayDeque<>();
    private static final MySqlCommandAdmission ADMISSION = new MySqlCommandAdmission();
    private MySqlStatementFlow flow;
    /** The server's answers on their way to the client (issue 11: the seam where results can be rewritten). */
    private MySqlResultRelay results;
    /** A command is being analysed / recorded: later ones wait behind it, in order. */
    private boolean admitting;
    private String programName;
    private String endReason = "client disconnected";
    private static final int WAITING_BEFORE_PAUSE = 256;
    /** Everything for the client once ready, held while a read's audit record is not durable yet. */
    private final HeldOutput out;

    MySqlConnection(NetSocket socket, MySqlFrontend frontend) {
        this.socket = socket;
        this.frontend = frontend;
        this.context = Vertx.currentContext();
        String host = socket.remoteAddress() == null ? "" : socket.remoteAddress().host();
        this.clientHost = host;
        this.loopback = LoopbackAddress.is(host);
        this.connectionId = frontend.sessions.nextSessionId();
        this.offered = frontend.offeredCapabilities();
        this.out = new HeldOutput(socket, () -> server);
        for (int i = 0; i < nonce.length; i++) {
            // Printable and never NUL: the nonce is NUL-terminated on the wire.
            nonce[i] = (byte) (33 + frontend.random.nextInt(94));
        }
        socket.handler(this::onData);
        socket.closeHandler(v -> onClientClosed());
        socket.exceptionHandler(e -> {
            LOG.debugf("client connection error: %s", e.getMessage());
            socket.close();
        });
        this.authTimer = frontend.vertx.setTimer(frontend.listener.authenticationTimeout().toMillis(), id -> {
            if (state == State.HANDSHAKE || state == State.AUTHENTICATING) {
                fail(VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Bad handshake: authentication timed out"), sequence);
            }
        });
        sendGreeting();
    }

    private void sendGreeting() {
        HandshakeV10 server = frontend.defaultGreeting();
        String version = server == null ? FALLBACK_VERSION : server.serverVersion();
        charset = server == null || server.characterSet() == 0 ? MySqlFrontend.DEFAULT_CHARSET : server.characterSet();
        String plugin = MySqlAuthFlow.preferredPlugin(frontend.listener.authPlugin(), false, loopback);
        HandshakeV10 greeting = new HandshakeV10(version, connectionId, nonce, offered, charset,
                ServerStatus.AUTOCOMMIT, plugin, 0);
        socket.write(Packets.frame(0, greeting.encode()));
        sequence = 1;
    }

    private void onData(Buffer chunk) {
        try {
            switch (state) {
                case HANDSHAKE -> onHandshakeBytes(chunk);
                case AUTHENTICATING -> decoder.feed(chunk, this::onAuthPacket);
                case CONNECTING -> throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION,
                        "Got packets out of order: a command arrived before authentication ended");
                case READY -> {
                    decoder.feed(chunk, this::onCommandPacket);
                    if (state == State.READY && server != null && server.writeQueueFull()) {
                        socket.pause();
                        server.drainHandler(v -> socket.resume());
                    }
                }
                case CLOSED -> { }
            }
        } catch (VeilException e) {
            fail(e, sequence);
        } catch (MalformedPacketException e) {
            fail(VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Malformed packet: " + e.getMessage()), sequence);
        } catch (PacketTooLargeException e) {
            fail(state == State.READY ? packetTooLarge() : VeilException.fatal(ErrorCode.PACKET_TOO_LARGE, "Got a packet of "
                    + e.length() + " bytes before login, over Veil's limit of " + e.limit() + " bytes for the handshake and"
                    + " authentication packets (a password or token must fit in it)"), (e.sequenceId() + 1) & 0xFF);
        } catch (RuntimeException | LinkageError e) {
            // A LinkageError too (a class missing from a native image, say): the client gets XX000 at once
            // instead of waiting for the authentication timer.
            LOG.error("unexpected error on a MySQL client connection", e);
            fail(VeilException.fatal(ErrorCode.INTERNAL, "internal error in Veil: " + e), sequence);
        }
    }

    // ---- connection phase ----------------------------------------------------------------------------

    /**
     * The client's first packet is read without the packet decoder: when it is an SSLRequest, whatever
     * follows it in the same read is already the TLS handshake and must go to the TLS layer, not be parsed.
     */
    private void onHandshakeBytes(Buffer chunk) {
        handshakeBytes = handshakeBytes == null ? chunk.copy() : handshakeBytes.appendBuffer(chunk);
        if (handshakeBytes.length() < 4) {
            return;
        }
        int len = handshakeBytes.getUnsignedMediumLE(0);
        if (len > PacketDecoder.MAX_PAYLOAD_BEFORE_LOGIN) {
            // Refused on its header, before any of its body is buffered.
            throw new PacketTooLargeException(handshakeBytes.getUnsignedByte(3), len, PacketDecoder.MAX_PAYLOAD_BEFORE_LOGIN);
        }
        if (handshakeBytes.length() < 4 + len) {
            return;
        }
        int seq = handshakeBytes.getUnsignedByte(3);
        if (seq != sequence) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Got packets out of order (sequence " + seq + ", expected " + sequence + ")");
        }
        sequence = (seq + 1) & 0xFF;
        Buffer payload = handshakeBytes.getBuffer(4, 4 + len);
        Buffer rest = handshakeBytes.getBuffer(4 + len, handshakeBytes.length());
        handshakeBytes = null;
        if (SSLRequest.matches(payload)) {
            startTls(rest);
            return;
        }
        onHandshakeResponse(HandshakeResponse41.decode(payload));
        if (rest.length() > 0) {
            onData(rest);
        }
    }

    private void onAuthPacket(int seq, Buffer buf, int off, int len) {
        if (state != State.AUTHENTICATING) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Got packets out of order: a command arrived before authentication ended");
        }
        if (seq != sequence) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Got packets out of order (sequence " + seq + ", expected " + sequence + ")");
        }
        sequence = (seq + 1) & 0xFF;
        apply(auth.onPacket(buf.getBuffer(off, off + len)));
    }

    private void startTls(Buffer early) {
        if (tls || !frontend.tlsAvailable || frontend.listener.tls().mode() == ListenerTlsMode.OFF) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "SSL connection error: TLS is not enabled on Veil's MySQL listener");
        }
        socket.upgradeToSsl(ar -> {
            if (ar.succeeded()) {
                tls = true;
            } else {
                LOG.debugf("TLS handshake with a MySQL client failed: %s", ar.cause().getMessage());
                state = State.CLOSED;
                socket.close();
            }
        });
        if (early.length() > 0) {
            // MySQL clients send their ClientHello right after SSLRequest without waiting for an answer.
            handToTls(early, 0);
        }
    }

    /** Re-injects bytes read before the TLS handler was in place, once it is (it is added after a flush). */
    private void handToTls(Buffer early, int attempt) {
        ChannelPipeline pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
        if (pipeline.get("ssl") != null) {
            pipeline.fireChannelRead(Unpooled.wrappedBuffer(early.getBytes()));
        } else if (attempt < 100 && state != State.CLOSED) {
            context.runOnContext(v -> handToTls(early, attempt + 1));
        } else {
            state = State.CLOSED;
            socket.close();
        }
    }

    private void onHandshakeResponse(HandshakeResponse41 response) {
        if (!Capabilities.has(response.capabilities(), Capabilities.PROTOCOL_41)) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Bad handshake: Veil speaks only protocol 4.1");
        }
        if (frontend.listener.tls().mode() == ListenerTlsMode.REQUIRED && !tls) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION, "Veil requires TLS: connect with --ssl-mode=REQUIRED (sslMode=REQUIRED)");
        }
        clientCaps = response.capabilities() & offered;
        programName = response.attributes().get("program_name");
        if (response.characterSet() != 0) {
            charset = response.characterSet();
        }
        route = frontend.route(Capabilities.has(clientCaps, Capabilities.CONNECT_WITH_DB) ? response.database() : null);
        state = State.AUTHENTICATING;
        auth = new MySqlAuthFlow(frontend, nonce, tls, loopback, clientHost);
        // Recent failed logins from this address or for this user delay the verdict (identity/LoginThrottle); a
        // packet sent meanwhile is refused by the flow as out of turn. After a wait, refusals come back here.
        frontend.authenticator.admit(clientHost, response.user()).onSuccess(v -> {
            try {
                if (state == State.AUTHENTICATING) {
                    apply(auth.onHandshakeResponse(response));
                }
            } catch (VeilException e) {
                fail(e, sequence);
            }
        });
    }

    private void apply(MySqlAuthFlow.Step step) {
        for (Buffer reply : step.replies()) {
            socket.write(Packets.frame(sequence, reply));
            sequence = (sequence + 1) & 0xFF;
        }
        if (step.identity() != null) {
            frontend.vertx.cancelTimer(authTimer);
            connectUpstream(step.identity());
        } else if (step.verifying() != null) {
            // Nothing more is read until the verdict (a client must wait for it anyway).
            socket.pause();
            step.verifying().onComplete(ar -> {
                if (state != State.AUTHENTICATING) {
                    return; // the client left, or the authentication timer fired
                }
                if (ar.succeeded()) {
                    frontend.vertx.cancelTimer(authTimer);
                    connectUpstream(ar.result());
                } else {
                    fail(ar.cause() instanceof VeilException ve ? ve
                            : VeilException.fatal(ErrorCode.INTERNAL, "internal error in Veil: " + ar.cause()), sequence);
                }
            });
        }
    }

    // ---- leasing a server connection -----------------------------------------------------------------

    private void connectUpstream(Identity identity) {
        state = State.CONNECTING;
        socket.pause();
        pool = frontend.upstreams.mysqlPool(route.upstream(), route.database(), new MySqlProfile(clientCaps, charset));
        pool.acquire().onComplete(ar -> {
            if (ar.failed()) {
                onLeaseFailed(ar.cause());
                return;
            }
            if (state == State.CLOSED) {
                pool.release(ar.result());
                return;
            }
            server = ar.result();
            welcome(identity);
        });
    }

    private void onLeaseFailed(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        if (cause instanceof VeilException ve) {
            fail(ve, sequence);
        } else if (cause instanceof UpstreamException ue && ue.mysqlServerError() != null) {
            // The server's own refusal (unknown database, too many connections…), untouched.
            state = State.CLOSED;
            socket.end(Packets.frame(sequence, ue.mysqlServerError().encode()));
        } else {
            fail(VeilException.fatal(ErrorCode.UPSTREAM_UNAVAILABLE, "Can't connect to upstream \""
                    + route.upstream().name() + "\": " + cause.getMessage()), sequence);
        }
    }

    private void welcome(Identity identity) {
        session = new Session(connectionId, identity, frontend.config.environment(), clientHost, tls,
                route.upstream().name(), route.database(), frontend.clock.instant());
        frontend.sessions.add(session);
        MySqlServerConnection conn = server;
        session.onCancel(() -> frontend.killOnUpstream(conn, false));
        session.onTerminate(() -> context.runOnContext(v -> terminate()));
        // An unsolicited ERR, as the server sends on wait_timeout: the client reads it as the end of the session.
        session.onEnd(reason -> context.runOnContext(v -> fail(reason, 0)));
        flow = new MySqlStatementFlow(frontend.pipelines.open(session, Dialect.MYSQL, route.upstream(), programName));
        results = new MySqlResultRelay(out, server::binaryRows, this::onResponseComplete, this::onServerLost);
        server.attach(results);
        // Logged in: a physical packet over the command limit is refused at its header, as before login.
        decoder.limit(Math.min(frontend.listener.maxMessageBytes(), Packets.MAX_PAYLOAD));
        state = State.READY;
        int status = ServerStatus.AUTOCOMMIT;
        socket.write(Packets.frame(sequence, new OkPacket(0, 0, status, 0, "").encode(sessionTrack())));
        LOG.debugf("MySQL session %d: %s -> %s/%s", session.id(), identity.name(), route.upstream().name(), route.database());
        socket.resume();
    }

    private boolean sessionTrack() {
        return Capabilities.has(clientCaps, Capabilities.SESSION_TRACK);
    }

    // ---- command phase -------------------------------------------------------------------------------

    private void onCommandPacket(int seq, Buffer buf, int off, int len) {
        if (state != State.READY) {
            return;
        }
        if (partial == null && seq != 0) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Got packets out of order: a command must start with sequence id 0, got " + seq);
        }
        int size = (partial == null ? 0 : partial.length()) + len;
        if (size > frontend.listener.maxMessageBytes()) {
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
                socket.pause();
            }
            return;
        }
        onCommand(cmd);
    }

    private VeilException packetTooLarge() {
        return VeilException.fatal(ErrorCode.PACKET_TOO_LARGE, "Got a packet bigger than Veil's limit ("
                + frontend.listener.maxMessageBytes() + " bytes, veil.mysql.max-message-bytes; raise it to accept larger commands)");
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
                    if (ar.succeeded() && ar.result().refusal() == null) {
                        admitting = false;
                        if (state == State.READY && server != null) {
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

    /** The pipeline answered for a command that is refused: it goes first in line, answered in its turn. */
    private void resumeWith(Cmd refused) {
        admitting = false;
        if (state != State.READY || server == null) {
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
        flow.forwarded(cmd.code(), decided, verdict.shape() != null);
    }

    /** A read ran ahead of its audit fsync and the record could not be made durable: its answer is never sent. */
    private void answerWithheld(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        LOG.warnf("session %d: ending it, an answer is withheld: %s", connectionId, cause.getMessage());
        fail(VeilException.fatal(cause instanceof VeilException ve ? ve.code() : ErrorCode.INTERNAL,
                "terminating connection: the answer to a statement is withheld because Veil could not make its audit "
                        + "record durable (" + cause.getMessage() + ")"), 0);
    }

    private void runLocally(Cmd cmd, MySqlCommandAdmission.Verdict verdict) {
        int replySeq = (cmd.lastSeq() + 1) & 0xFF;
        if (verdict.refusal() != null) {
            fail(verdict.refusal(), replySeq);
            return;
        }
        switch (verdict.local()) {
            case QUIT -> {
                endReason = "client quit";
                state = State.CLOSED;
                socket.close();
            }
            case KILL -> kill(verdict.killId(), verdict.killConnection(), replySeq);
            default -> throw new IllegalStateException(verdict.local().name());
        }
    }

    /** KILL [QUERY|CONNECTION] quotes the connection id Veil gave in its handshake; it reaches that session's server thread. */
    private void kill(long id, boolean connection, int replySeq) {
        Session target = frontend.sessions.find(id).orElse(null);
        boolean allowed = target != null && (target.identity().name().equals(session.identity().name())
                || session.identity().roles().contains("admin"));
        if (!allowed) {
            // Sessions of other identities are reported as unknown, as the server does for threads one may not see.
            fail(VeilException.error(ErrorCode.UNKNOWN_THREAD, "Unknown thread id: " + id), replySeq);
            return;
        }
        if (connection && target == session) {
            // Killing one's own connection: the server answers with an error and closes it.
            fail(VeilException.fatal(ErrorCode.QUERY_CANCELED, "Connection was killed"), replySeq);
            return;
        }
        target.cancel();
        if (connection) {
            target.terminate();
        }
        out.write(Packets.frame(replySeq, new OkPacket(0, 0, statusFlags(), 0, "").encode(sessionTrack())));
    }

    private int statusFlags() {
        return server != null && server.inTransaction() ? ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS : ServerStatus.AUTOCOMMIT;
    }

    /** Ends this session from another connection's KILL CONNECTION. */
    private void terminate() {
        if (state == State.CLOSED) {
            return;
        }
        MySqlServerConnection s = server;
        server = null;
        if (s != null) {
            s.close(); // mid-statement: never back to the pool
        }
        state = State.CLOSED;
        socket.close();
    }

    /** The server has answered the oldest command; its last packet has been relayed. */
    private void onResponseComplete(boolean error, long rows) {
        var t = server.tracker();
        flow.completed(error, rows, t.lastPreparedStatementId(), t.lastErrorCode(), t.lastSqlState(),
                server.inTransaction());
        if (!admitting && !waiting.isEmpty() && server.pendingResponses() == 0) {
            context.runOnContext(v -> drainWaiting());
        }
    }

    private void drainWaiting() {
        while (!admitting && !waiting.isEmpty() && state == State.READY && server != null) {
            if (!onCommand(waiting.pollFirst())) {
                break;
            }
        }
        if (waiting.isEmpty() && state == State.READY) {
            socket.resume();
        }
    }

    /** The server connection broke; what it sent before has been relayed. */
    private void onServerLost(Throwable cause) {
        server = null;
        if (state == State.CLOSED) {
            return;
        }
        LOG.warnf("MySQL session %d lost its upstream connection: %s", connectionId, cause.getMessage());
        fail(VeilException.fatal(ErrorCode.UPSTREAM_LOST, "Lost connection to upstream \"" + route.upstream().name()
                + "\" (" + cause.getMessage() + "); reconnect to start a new session"), 0);
    }

    // ---- errors and end ------------------------------------------------------------------------------

    static ErrPacket errPacket(VeilException e) {
        return new ErrPacket(e.code().mysqlErrno(), e.code().mysqlSqlState(), e.getMessage());
    }

    /** The error funnel: one ERR packet; a fatal one ends the connection, others leave it ready for the next command. */
    private void fail(VeilException e, int seq) {
        if (state == State.CLOSED) {
            return;
        }
        if ((state == State.HANDSHAKE || state == State.AUTHENTICATING) && e.code() != ErrorCode.INTERNAL) {
            frontend.auditor.authenticationFailed("mysql", auth == null ? null : auth.user(), clientHost, tls, e);
        }
        Buffer packet = Packets.frame(seq, errPacket(e).encode());
        if (e.fatal() || state != State.READY) {
            state = State.CLOSED;
            socket.end(packet);
        } else {
            out.write(packet); // behind any answer still held for the audit
        }
    }

    private void onClientClosed() {
        if (state == State.AUTHENTICATING && auth != null && auth.user() != null) {
            // A client that hangs up mid-authentication (one that refuses the plugin it was switched to, say) is
            // a failed attempt too; a refusal of Veil's own has already closed the state and is recorded there.
            frontend.auditor.authenticationFailed("mysql", auth.user(), clientHost, tls, VeilException.fatal(
                    ErrorCode.AUTH_FAILED, "the client closed the connection during authentication"));
        }
        state = State.CLOSED;
        frontend.vertx.cancelTimer(authTimer);
        frontend.clientConnections.decrementAndGet();
        if (session != null) {
            session.onCancel(null);
            session.onTerminate(null);
            session.onEnd(null);
            frontend.sessions.remove(session);
        }
        if (flow != null) {
            flow.end(endReason);
        }
        if (server != null) {
            MySqlServerConnection s = server;
            server = null;
            pool.release(s);
        }
    }
}
