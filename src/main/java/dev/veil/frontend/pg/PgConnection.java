package dev.veil.frontend.pg;

import dev.veil.protocol.pg.BackendKeyData;
import dev.veil.protocol.pg.CancelRequest;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.GSSENCRequest;
import dev.veil.protocol.pg.NegotiateProtocolVersion;
import dev.veil.protocol.pg.ParameterStatus;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.PgFrameBatch;
import dev.veil.protocol.pg.PgFrameDecoder;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.protocol.pg.SSLRequest;
import dev.veil.protocol.pg.StartupMessage;
import dev.veil.protocol.pg.StartupPacket;
import dev.veil.protocol.pg.StartupPacketDecoder;
import dev.veil.analysis.Dialect;
import dev.veil.config.VeilConfig;
import dev.veil.config.ListenerTlsMode;
import dev.veil.identity.Identity;
import dev.veil.session.Session;
import dev.veil.session.SessionRegistry;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.PgServerConnection;
import dev.veil.upstream.UpstreamPool;
import dev.veil.upstream.UpstreamRouter;
import dev.veil.upstream.UpstreamException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import dev.veil.frontend.HeldOutput;
import dev.veil.frontend.LoopbackAddress;
import dev.veil.protocol.pg.Authentication;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One PostgreSQL client connection, confined to the event loop that accepted it: TLS negotiation and
 * startup, authentication, leasing a server connection, then the relay. Every error Veil raises goes out
 * through {@link #fail(VeilException)}.
 * Protocol flow: https://www.postgresql.org/docs/current/protocol-flow.html
 */
final class PgConnection implements PgStatementFlow.Relay {
    private static final Logger LOG = Logger.getLogger(PgConnection.class);

    private enum State { STARTUP, AUTHENTICATING, VERIFYING, CONNECTING, READY, CLOSED }

    private final NetSocket socket;
    private final PgFrontend frontend;
    private final StartupPacketDecoder startupDecoder = new StartupPacketDecoder();
    private final PgFrameDecoder decoder;
    private final PgFrameBatch toServer = new PgFrameBatch();
    private final boolean loopback;
    private final long authTimer;

    private State state = State.STARTUP;
    private boolean tls;
    private PgAuthFlow auth;
    private PgStartupParameters startup;
    private UpstreamRouter.Route route;
    private UpstreamPool<PgServerConnection> pool;
    private PgServerConnection server;
    private Session session;
    private SessionRegistry.CancelKey cancelKey;
    private List<PgFrame> earlyFrames;
    // Audit (issue 6): the session's record and the statement flow that records before it relays.
    private PgStatementFlow flow;
    /** The server's answers on their way to the client (issue 11: the seam where results can be rewritten). */
    private PgResultRelay results;
    private String endReason = "client disconnected";
    /** Everything for the client, held while a read's audit record is not durable yet. */
    private final HeldOutput out;

    PgConnection(NetSocket socket, PgFrontend frontend) {
        this.socket = socket;
        this.frontend = frontend;
        this.decoder = PgFrameDecoder.beforeLogin();
        String host = socket.remoteAddress() == null ? "" : socket.remoteAddress().host();
        this.loopback = LoopbackAddress.is(host);
        this.out = new HeldOutput(socket, () -> server);
        socket.handler(this::onData);
        socket.closeHandler(v -> onClientClosed());
        socket.exceptionHandler(e -> {
            LOG.debugf("client connection error: %s", e.getMessage());
            socket.close();
        });
        this.authTimer = frontend.vertx.setTimer(frontend.listener.authenticationTimeout().toMillis(), id -> {
            if (state == State.STARTUP || state == State.AUTHENTICATING || state == State.VERIFYING) {
                VeilException timeout = VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "authentication timed out");
                if (startup != null) {
                    frontend.auditor.authenticationFailed("postgresql", startup.user(), clientAddress(), tls, timeout);
                }
                fail(timeout);
            }
        });
    }

    private void onData(Buffer chunk) {
        try {
            switch (state) {
                case STARTUP -> onStartupBytes(chunk);
                case AUTHENTICATING, VERIFYING -> decoder.feed(chunk, this::onAuthFrame);
                case CONNECTING -> throw new IllegalStateException("client socket is paused while connecting");
                case READY -> relayClientBytes(chunk);
                case CLOSED -> { }
            }
        } catch (VeilException e) {
            fail(e);
        } catch (RuntimeException | LinkageError e) {
            // A LinkageError too (a class missing from a native image, say): the client gets XX000 at once
            // instead of waiting for the authentication timer.
            LOG.error("unexpected error on a client connection", e);
            fail(VeilException.fatal(ErrorCode.INTERNAL, "internal error in Veil: " + e));
        }
    }

    // ---- startup -------------------------------------------------------------------------------------

    private void onStartupBytes(Buffer chunk) {
        StartupPacket packet = startupDecoder.feed(chunk);
        if (packet == null) {
            return;
        }
        Buffer leftover = startupDecoder.leftover();
        if (packet instanceof SSLRequest) {
            onSslRequest(leftover);
        } else if (packet instanceof GSSENCRequest) {
            socket.write(Buffer.buffer(new byte[]{'N'}));
            continueStartup(leftover);
        } else if (packet instanceof CancelRequest cancel) {
            frontend.sessions.cancel(cancel.processId(), cancel.secretKey());
            socket.close();
            state = State.CLOSED;
        } else if (packet instanceof StartupMessage message) {
            onStartupMessage(message);
            if (leftover.length() > 0) {
                onData(leftover);
            }
        }
    }

    private void continueStartup(Buffer leftover) {
        if (leftover.length() > 0) {
            onData(leftover);
        }
    }

    private void onSslRequest(Buffer leftover) {
        if (tls || !frontend.tlsAvailable || frontend.listener.tls().mode() == ListenerTlsMode.OFF) {
            socket.write(Buffer.buffer(new byte[]{'N'}));
            continueStartup(leftover);
            return;
        }
        if (leftover.length() > 0) {
            // Plain-text bytes sent before the handshake would be treated as if encrypted (CVE-2021-23214).
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "received unencrypted data after SSL request");
        }
        socket.write(Buffer.buffer(new byte[]{'S'}));
        socket.upgradeToSsl(ar -> {
            if (ar.succeeded()) {
                tls = true;
            } else {
                LOG.debugf("TLS handshake with a client failed: %s", ar.cause().getMessage());
                state = State.CLOSED;
                socket.close();
            }
        });
    }

    private void onStartupMessage(StartupMessage message) {
        if (frontend.listener.tls().mode() == ListenerTlsMode.REQUIRED && !tls) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION,
                    "Veil requires TLS: connect with sslmode=require (or stricter)");
        }
        startup = PgStartupParameters.from(message);
        if (message.minorVersion() > 0 || !startup.unsupportedProtocolOptions().isEmpty()) {
            socket.write(new NegotiateProtocolVersion(StartupMessage.PROTOCOL_3_0, startup.unsupportedProtocolOptions()).encode());
        }
        route = frontend.route(startup.database());
        state = State.AUTHENTICATING;
        try {
            auth = new PgAuthFlow(frontend, startup.user(), tls, loopback);
        } catch (VeilException e) {
            frontend.auditor.authenticationFailed("postgresql", startup.user(), clientAddress(), tls, e);
            throw e;
        }
        // Recent failed logins from this address or for this user delay the request for the secret
        // (identity/LoginThrottle); the flow refuses a secret sent before it is asked for.
        frontend.authenticator.admit(clientAddress(), startup.user()).onSuccess(v -> {
            if (state == State.AUTHENTICATING) {
                socket.write(auth.firstRequest());
            }
        });
    }

    // ---- authentication ------------------------------------------------------------------------------

    private void onAuthFrame(PgFrame frame) {
        if (state != State.AUTHENTICATING) {
            // A client may pipeline its first query right after the password; it waits for the lease.
            if (earlyFrames == null) {
                earlyFrames = new ArrayList<>();
            }
            earlyFrames.add(PgFrame.of(frame.bytes().copy()));
            return;
        }
        if (frame.type() != 'p') {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION,
                    "expected password response, got message type '" + frame.typeChar() + "'");
        }
        PgAuthFlow.Step step;
        try {
            step = auth.onResponse(frame);
        } catch (VeilException e) {
            frontend.auditor.authenticationFailed("postgresql", startup.user(), clientAddress(), tls, e);
            throw e;
        }
        if (step.reply() != null) {
            socket.write(step.reply());
        }
        if (step.identity() != null) {
            frontend.vertx.cancelTimer(authTimer);
            connectUpstream(step.identity());
        } else if (step.verifying() != null) {
            // Nothing more is read until the verdict: a pipelined query waits in the socket, in order.
            state = State.VERIFYING;
            socket.pause();
            step.verifying().onComplete(ar -> {
                if (state != State.VERIFYING) {
                    return; // the client left, or the authentication timer fired
                }
                if (ar.succeeded()) {
                    socket.write(new Authentication.AuthenticationOk().encode());
                    frontend.vertx.cancelTimer(authTimer);
                    connectUpstream(ar.result());
                } else {
                    VeilException e = ar.cause() instanceof VeilException ve ? ve
                            : VeilException.fatal(ErrorCode.INTERNAL, "internal error in Veil: " + ar.cause());
                    frontend.auditor.authenticationFailed("postgresql", startup.user(), clientAddress(), tls, e);
                    fail(e);
                }
            });
        }
    }

    // ---- leasing a server connection -----------------------------------------------------------------

    private void connectUpstream(Identity identity) {
        state = State.CONNECTING;
        // Logged in: from the next header on, frames up to the configured limit (statements, COPY data).
        decoder.limit(frontend.listener.maxMessageBytes(), "(veil.pg.max-message-bytes; raise it to accept larger messages)");
        // Nothing is read until the session is ready, so that pipelined queries stay in order.
        socket.pause();
        pool = frontend.upstreams.pool(route.upstream(), route.database());
        pool.acquire().compose(conn -> {
            if (state == State.CLOSED) {
                pool.release(conn);
                return Future.failedFuture(new UpstreamException("client went away"));
            }
            server = conn;
            String set = startup.setStatement();
            return set == null ? Future.succeededFuture(conn) : conn.execute(set).map(r -> {
                if (r.error() != null) {
                    // The server rejects a setting as it would have at startup: report it as that FATAL.
                    throw new UpstreamException(r.error().message(), r.error(), null);
                }
                return conn;
            });
        }).onComplete(ar -> {
            if (ar.succeeded()) {
                welcome(identity);
            } else {
                onLeaseFailed(ar.cause());
            }
        });
    }

    private void onLeaseFailed(Throwable cause) {
        if (server != null) {
            pool.release(server);
            server = null;
        }
        if (state == State.CLOSED) {
            return;
        }
        if (cause instanceof VeilException ve) {
            fail(ve);
        } else if (cause instanceof UpstreamException ue && ue.serverError() != null) {
            sendFatal(ue.serverError());
        } else {
            fail(VeilException.fatal(ErrorCode.UPSTREAM_UNAVAILABLE, "could not connect to upstream \""
                    + route.upstream().name() + "\": " + cause.getMessage()));
        }
    }

    private void welcome(Identity identity) {
        session = new Session(frontend.sessions.nextSessionId(), identity, frontend.config.environment(),
                clientAddress(), tls, route.upstream().name(), route.database(), frontend.clock.instant());
        flow = new PgStatementFlow(this, frontend.pipelines.open(session, Dialect.POSTGRESQL, route.upstream(),
                startup.settings().get("application_name")), frontend.config.audit().recordParameters());
        cancelKey = frontend.sessions.register(session);
        PgServerConnection conn = server;
        session.onCancel(() -> frontend.upstreams.cancel(conn));
        Context loop = Vertx.currentContext();
        session.onEnd(reason -> loop.runOnContext(v -> {
            if (state == State.READY) {
                // Closing the client releases the server connection as a client disconnect would: reset
                // and reused when between statements, closed (never reused) when one is still running.
                fail(reason);
            }
        }));
        Buffer out = Buffer.buffer(512);
        server.parameters().forEach((k, v) -> out.appendBuffer(new ParameterStatus(k, v).encode()));
        out.appendBuffer(new BackendKeyData(cancelKey.processId(), cancelKey.secretKey()).encode());
        out.appendBuffer(new ReadyForQuery(server.transactionStatus()).encode());
        results = new PgResultRelay(this.out, flow::beforeServerFrame, flow::onServerFrame, this::onServerLost);
        server.attach(results);
        state = State.READY;
        socket.write(out);
        LOG.debugf("session %d: %s -> %s/%s", session.id(), identity.name(), route.upstream().name(), route.database());
        if (earlyFrames != null) {
            List<PgFrame> early = earlyFrames;
            earlyFrames = null;
            try {
                early.forEach(this::onClientFrame);
                toServer.flush(server::write);
            } catch (VeilException e) {
                fail(e);
            }
        }
        socket.resume();
    }

    // ---- relay ---------------------------------------------------------------------------------------

    private void relayClientBytes(Buffer chunk) {
        decoder.feed(chunk, this::onClientFrame);
        if (state != State.READY) {
            return;
        }
        toServer.flush(server::write);
        if (server.writeQueueFull()) {
            socket.pause();
            server.drainHandler(v -> {
                if (!flow.pausedClient()) {
                    socket.resume();
                }
            });
        }
    }

    private void onClientFrame(PgFrame frame) {
        if (state != State.READY) {
            return;
        }
        byte t = frame.type();
        if (!FrontendMessage.isKnownType(t)) {
            toServer.flush(server::write);
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "invalid frontend message type " + (t & 0xff));
        }
        if (t == 'X') {
            // Terminate ends the client's session only: the server connection goes back to the pool.
            toServer.flush(server::write);
            endReason = "client terminated";
            state = State.CLOSED;
            socket.close();
            return;
        }
        flow.onClientFrame(frame);
    }

    private void writeToClient(Buffer bytes) {
        out.write(bytes);
    }

    @Override
    public void holdAnswersUntil(Future<Void> durable) {
        results.flush();
        out.holdUntil(durable, cause -> {
            if (state == State.CLOSED) {
                return;
            }
            String why = cause.getMessage();
            LOG.warnf("session %d: ending it, an answer is withheld: %s", session.id(), why);
            fail(VeilException.fatal(cause instanceof VeilException ve ? ve.code() : ErrorCode.INTERNAL,
                    "terminating connection: the answer to a statement is withheld because Veil could not make its audit record durable ("
                            + why + ")"));
        });
    }

    // ---- PgStatementFlow.Relay -----------------------------------------------------------------------

    @Override
    public void forward(PgFrame frame) {
        server.noteSent(frame);
        toServer.add(frame, server::write);
    }

    @Override
    public void flushToServer() {
        if (server != null) {
            toServer.flush(server::write);
        }
    }

    @Override
    public void pauseClient() {
        socket.pause();
    }

    @Override
    public void resumeClient() {
        socket.resume();
    }

    @Override
    public void sendToClient(Buffer bytes) {
        results.flush();
        writeToClient(bytes);
    }

    @Override
    public char transactionStatus() {
        return server == null ? ReadyForQuery.IDLE : server.transactionStatus();
    }

    @Override
    public boolean open() {
        return state == State.READY && server != null;
    }

    private String clientAddress() {
        return socket.remoteAddress() == null ? "" : socket.remoteAddress().host();
    }

    /** The server connection broke; what it sent before has been relayed. */
    private void onServerLost(Throwable cause) {
        server = null;
        if (state == State.CLOSED) {
            return;
        }
        LOG.warnf("session %d lost its upstream connection: %s", session == null ? 0 : session.id(), cause.getMessage());
        endReason = "upstream connection lost: " + cause.getMessage();
        fail(VeilException.fatal(ErrorCode.UPSTREAM_LOST, "terminating connection: the connection to upstream \""
                + route.upstream().name() + "\" was lost (" + cause.getMessage() + "); reconnect to start a new session"));
    }

    // ---- errors and end ------------------------------------------------------------------------------

    /** The error funnel: one ErrorResponse; a fatal one ends the connection. */
    private void fail(VeilException e) {
        if (state == State.CLOSED) {
            return;
        }
        endReason = "error " + e.code().sqlState() + ": " + e.getMessage();
        if (e.fatal()) {
            sendFatal(ErrorResponse.of(e));
        } else {
            // Non-fatal refusals come with the statement pipeline; until then every Veil error is fatal.
            sendFatal(ErrorResponse.of(VeilException.fatal(e.code(), e.getMessage())));
        }
    }

    private void sendFatal(ErrorResponse error) {
        Map<Character, String> fields = new LinkedHashMap<>(error.fields());
        fields.put('S', "FATAL");
        fields.put('V', "FATAL");
        state = State.CLOSED;
        socket.end(new ErrorResponse(fields).encode());
    }

    private void onClientClosed() {
        state = State.CLOSED;
        frontend.vertx.cancelTimer(authTimer);
        frontend.clientConnections.decrementAndGet();
        if (session != null) {
            session.onCancel(null);
            session.onEnd(null);
            frontend.sessions.unregister(cancelKey);
        }
        if (flow != null) {
            flow.close(endReason);
        }
        if (server != null) {
            PgServerConnection s = server;
            server = null;
            pool.release(s);
        }
    }
}
