package dev.veil.frontend.pg;

import dev.veil.protocol.pg.BackendKeyData;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.InvalidStartupLength;
import dev.veil.protocol.pg.NegotiateProtocolVersion;
import dev.veil.protocol.pg.NoticeResponse;
import dev.veil.protocol.pg.ParameterStatus;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.PgFrameBatch;
import dev.veil.protocol.pg.PgFrameDecoder;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.protocol.pg.StartupMessage;
import dev.veil.analysis.Dialect;
import dev.veil.config.ListenerTlsMode;
import dev.veil.identity.Identity;
import dev.veil.session.SessionGrants;
import dev.veil.session.SessionOpener;
import dev.veil.session.SessionRegistry;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.PgServerConnection;
import dev.veil.upstream.UpstreamRouter;
import dev.veil.upstream.UpstreamException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import dev.veil.frontend.ClientConnection;
import dev.veil.frontend.ClientSlot;
import dev.veil.protocol.pg.Authentication;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One PostgreSQL client connection, confined to the event loop that accepted it: TLS negotiation and
 * startup, authentication, leasing a server connection, then the relay. Every error Veil raises goes out
 * through {@link #fail(VeilException)}.
 * Protocol flow: https://www.postgresql.org/docs/current/protocol-flow.html
 */
final class PgConnection extends ClientConnection<PgServerConnection> implements PgStatementFlow.Relay, PgTransactionLease.Host {
    private static final Logger LOG = Logger.getLogger(PgConnection.class);
    /** SQLSTATE of the notice that the session's access grants could not be read: a generic warning. */
    private static final String GRANTS_UNREAD = "01000";

    private enum State { STARTUP, AUTHENTICATING, VERIFYING, CONNECTING, READY, CLOSED }

    private final PgEngine engine;
    private final PgNegotiation negotiation;
    private final PgFrameDecoder decoder;
    private final PgFrameBatch toServer = new PgFrameBatch();

    private State state = State.STARTUP;
    private boolean tls;
    private PgAuthFlow auth;
    private PgStartupParameters startup;
    private UpstreamRouter.Route route;
    private List<PgFrame> earlyFrames;
    /** A FATAL the server sent the client: the server is about to close, and the session ends with it. */
    private ErrorResponse serverFatal;
    // Audit (issue 6): the session's record and the statement flow that records before it relays.
    private PgStatementFlow flow;
    /** The server's answers on their way to the client (issue 11: the seam where results can be rewritten). */
    private PgResultRelay results;
    /** Transaction pooling: how the session leases server connections (null under session pooling). */
    private PgTransactionLease lease;
    /** The database user the session's server connections log in as, decided once logged in. */
    private DatabaseLogin login;
    /** The access grants the session opens under (docs/access.md); read before the database user is decided. */
    private SessionGrants grants = SessionGrants.NONE;

    PgConnection(NetSocket socket, PgEngine engine, ClientSlot slot) {
        super(socket, engine, slot);
        this.engine = engine;
        this.decoder = PgFrameDecoder.beforeLogin();
        this.negotiation = new PgNegotiation(socket, engine, this::onStartupMessage, () -> state = State.CLOSED);
    }

    @Override
    protected void onAuthenticationTimeout(String why) {
        if (state == State.STARTUP || state == State.AUTHENTICATING || state == State.VERIFYING) {
            VeilException timeout = VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "authentication timed out: " + why);
            if (startup != null) {
                engineContext.auditor().authenticationFailed("postgresql", startup.user(), clientHost, tls, timeout);
            }
            fail(timeout);
        }
    }

    @Override
    protected void onData(Buffer chunk) {
        try {
            switch (state) {
                case STARTUP -> negotiation.feed(chunk);
                case AUTHENTICATING, VERIFYING -> decoder.feed(chunk, this::onAuthFrame);
                case CONNECTING -> throw new IllegalStateException("client socket is paused while connecting");
                case READY -> relayClientBytes(chunk);
                case CLOSED -> { }
            }
        } catch (VeilException e) {
            if (session != null && e.code() == ErrorCode.PROTOCOL_VIOLATION) {
                LOG.warnf("session %d: ending it, the client broke the protocol: %s", session.id(), e.getMessage());
            }
            fail(e);
        } catch (InvalidStartupLength e) {
            // As PostgreSQL: logged, and the connection closed without a reply.
            LOG.infof("closing a connection from %s: %s", clientHost, e.getMessage());
            state = State.CLOSED;
            socket.close();
        } catch (RuntimeException | LinkageError e) {
            // A LinkageError too (a class missing from a native image, say): the client gets XX000 at once
            // instead of waiting for the authentication timer.
            LOG.error("unexpected error on a client connection", e);
            fail(VeilException.fatal(ErrorCode.INTERNAL, "internal error in Veil: " + e));
        }
    }

    // ---- startup -------------------------------------------------------------------------------------

    private void onStartupMessage(StartupMessage message, Buffer leftover) {
        startupReceived();
        tls = negotiation.tls();
        if (engine.listener.tls().mode() == ListenerTlsMode.REQUIRED && !tls) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION,
                    "Veil requires TLS: connect with sslmode=require (or stricter)");
        }
        startup = PgStartupParameters.from(message);
        if (message.minorVersion() > 0 || !startup.unsupportedProtocolOptions().isEmpty()) {
            socket.write(new NegotiateProtocolVersion(StartupMessage.PROTOCOL_3_0, startup.unsupportedProtocolOptions()).encode());
        }
        route = engine.route(startup.database());
        state = State.AUTHENTICATING;
        try {
            auth = new PgAuthFlow(engineContext.authenticator(), engine.listener.passwordMethod(), startup.user(), tls, loopback);
        } catch (VeilException e) {
            engineContext.auditor().authenticationFailed("postgresql", startup.user(), clientHost, tls, e);
            throw e;
        }
        // Recent failed logins from this address or for this user delay the request for the secret
        // (identity/LoginThrottle); the flow refuses a secret sent before it is asked for.
        engineContext.authenticator().admit(clientHost, startup.user()).onSuccess(v -> {
            if (state != State.AUTHENTICATING) {
                return;
            }
            Identity trusted = auth.withoutPassword();
            if (trusted == null) {
                socket.write(auth.firstRequest());
                return;
            }
            socket.write(new Authentication.AuthenticationOk().encode());
            try {
                admit(trusted);
            } catch (VeilException e) {
                fail(e);
            }
        });
        if (leftover.length() > 0) {
            onData(leftover);
        }
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
            engineContext.auditor().authenticationFailed("postgresql", startup.user(), clientHost, tls, e);
            throw e;
        }
        if (step.reply() != null) {
            socket.write(step.reply());
        }
        if (step.identity() != null) {
            admit(step.identity());
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
                    try {
                        admit(ar.result());
                    } catch (VeilException e) {
                        fail(e);
                    }
                } else {
                    VeilException e = ar.cause() instanceof VeilException ve ? ve
                            : VeilException.fatal(ErrorCode.INTERNAL, "internal error in Veil: " + ar.cause());
                    engineContext.auditor().authenticationFailed("postgresql", startup.user(), clientHost, tls, e);
                    fail(e);
                }
            });
        }
    }

    /**
     * The secret was right; the identity's session limit may still refuse it, after AuthenticationOk as the
     * server reports "too many connections for role", and that is recorded as a failed login.
     */
    private void admit(Identity identity) {
        try {
            loggedIn(identity);
        } catch (VeilException e) {
            engineContext.auditor().authenticationFailed("postgresql", startup.user(), clientHost, tls, e);
            throw e;
        }
        connectUpstream(identity);
    }

    // ---- leasing a server connection -----------------------------------------------------------------

    private void connectUpstream(Identity identity) {
        state = State.CONNECTING;
        // Logged in: from the next header on, frames up to the configured limit (statements, COPY data).
        decoder.limit(engine.listener.maxMessageBytes(), "(veil.pg.max-message-bytes; raise it to accept larger messages)");
        // Nothing is read until the session is ready, so that pipelined queries stay in order.
        socket.pause();
        // The identity's access grants first (a read of the control plane, on this loop, bounded): their roles
        // decide the database user and the policy roles of the session. Completed at once when there are none to read.
        engineContext.sessions().grants(identity).onComplete(ar -> {
            if (state == State.CLOSED) {
                return;
            }
            grants = ar.succeeded() ? ar.result() : SessionGrants.NONE;
            try {
                lease(identity);
            } catch (VeilException e) {
                fail(e);
            }
        });
    }

    private void lease(Identity identity) {
        try {
            login = engineContext.sessions().login(identity, grants, route.upstream(),
                    startup.settings().get("application_name"));
            if (login.readOnly()) {
                startup.refuseReadWrite(login);
            }
            if (startup.replicating()) {
                engineContext.sessions().admitReplication(identity);
            }
        } catch (VeilException e) {
            engineContext.auditor().authenticationFailed("postgresql", startup.user(), clientHost, tls, e);
            throw e;
        }
        pool = engineContext.upstreams().pool(route.upstream(), route.database(), login);
        if (startup.replicating()) {
            // Its own server connection, started as the client asked: a walsender serves one session. The pool
            // only takes it back to close it (PgServerConnection.reset refuses a replication connection).
            engineContext.upstreams().connectReplication(route.upstream(), route.database(), login, startup.replicationStartup())
                    .onComplete(ar -> {
                        if (ar.succeeded() && state == State.CLOSED) {
                            ar.result().close();
                        } else if (ar.succeeded()) {
                            server = ar.result();
                            welcome(identity);
                        } else {
                            onLeaseFailed(ar.cause());
                        }
                    });
            return;
        }
        pool.acquire().compose(conn -> {
            if (state == State.CLOSED) {
                pool.release(conn);
                return Future.failedFuture(new UpstreamException("client went away"));
            }
            server = conn;
            String set = startup.setStatement();
            if (pool.upstream().pool().transactionPooling()) {
                return PgTransactionLease.applySettings(conn, set);
            }
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

    private static VeilException cannotOpen() {
        return VeilException.fatal(ErrorCode.INTERNAL, "Veil could not open the session (an internal error; Veil's log"
                + " has the details); try again, and tell the operator if it persists");
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
        SessionOpener opener = engineContext.sessions();
        // The client is told the server backend's real process id (pg_terminate_backend, driver logs); the secret
        // is Veil's own, so a CancelRequest still comes to Veil, which forwards the server's key. Under transaction
        // pooling the backend changes from transaction to transaction: the process id is Veil's session id.
        boolean transactionPooling = pool.upstream().pool().transactionPooling() && !startup.replicating();
        long id = opener.registry().nextSessionId();
        SessionOpener.Opened opened;
        try {
            opened = opener.open(id, transactionPooling ? (int) (id & 0x7fffffff) : serverProcessId(), identity,
                    Dialect.POSTGRESQL, clientHost, tls, route, startup.settings().get("application_name"), login, grants);
        } catch (RuntimeException e) {
            // A session Veil cannot open (its start record cannot be written, …) ends with an error, never a silent
            // wait: the exception would otherwise end in Vert.x's handler and leave the client waiting forever.
            LOG.errorf(e, "the session of %s could not be opened", identity.name());
            onLeaseFailed(cannotOpen());
            return;
        }
        session = opened.session();
        flow = new PgStatementFlow(this, opened.pipeline(), opener.recordParameters(),
                new PgSessionMasking(engineContext.masks()));
        SessionRegistry.CancelKey cancelKey = opened.cancelKey();
        if (transactionPooling) {
            lease = new PgTransactionLease(this, pool, context, startup.settings());
            session.onCancel(lease.canceller(engineContext.upstreams()::cancel));
        } else {
            PgServerConnection conn = server;
            session.onCancel(() -> engineContext.upstreams().cancel(conn));
        }
        session.onEnd(reason -> context.runOnContext(v -> {
            if (state == State.READY) {
                // Closing the client releases the server connection as a client disconnect would: reset
                // and reused when between statements, closed (never reused) when one is still running.
                fail(reason);
            }
        }));
        Buffer out = Buffer.buffer(512);
        server.parameters().forEach((k, v) -> out.appendBuffer(new ParameterStatus(k, v).encode()));
        out.appendBuffer(new BackendKeyData(cancelKey.processId(), cancelKey.secretKey()).encode());
        if (grants.problem() != null) {
            // The server may send a notice at any time; psql prints it, pgjdbc keeps it as the connection's warning.
            out.appendBuffer(new NoticeResponse(GRANTS_UNREAD, grants.problem()).encode());
        }
        out.appendBuffer(new ReadyForQuery(server.transactionStatus()).encode());
        results = new PgResultRelay(this.out, flow::beforeServerFrame, this::afterServerFrame, flow::holds, this::onServerLost,
                flow::rewrite);
        server.attach(results);
        state = State.READY;
        socket.write(out);
        if (lease != null) {
            lease.adopt(server);
        }
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
        if (state != State.READY || server == null) {
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
            flushToServer();
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "invalid frontend message type " + (t & 0xff));
        }
        if (t == 'X') {
            // Terminate ends the client's session only: the server connection goes back to the pool.
            flushToServer();
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
        if (lease != null) {
            lease.forward(frame);
            return;
        }
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
        return state == State.READY && (server != null || lease != null);
    }

    /** The server's BackendKeyData process id (a server behind a pooler may send none: then 0). */
    private int serverProcessId() {
        return server.backendKey() == null ? 0 : server.backendKey().processId();
    }

    private void afterServerFrame(PgFrame frame) {
        if (frame.type() == ErrorResponse.TYPE) {
            ErrorResponse error = ErrorResponse.decode(frame);
            if ("FATAL".equals(error.severity()) || "PANIC".equals(error.severity())) {
                serverFatal = error;
            }
        }
        flow.onServerFrame(frame);
        if (lease != null && frame.type() == ReadyForQuery.TYPE) {
            lease.onReadyForQuery(ReadyForQuery.statusOf(frame));
        }
    }

    /** The server connection broke; what it sent before has been relayed. */
    private void onServerLost(Throwable cause) {
        server = null;
        if (state == State.CLOSED) {
            return;
        }
        if (serverFatal != null) {
            // The server ended the session itself (pg_terminate_backend: 57P01, shutdown: 57P02…) and the
            // client has its FATAL: the connection closes as it would from the server, with nothing of Veil's.
            endReason = "upstream ended the session: " + serverFatal.sqlState() + " " + serverFatal.message();
            state = State.CLOSED;
            out.end(Buffer.buffer());
            return;
        }
        LOG.warnf("session %d lost its upstream connection: %s", session == null ? 0 : session.id(), cause.getMessage());
        endReason = "upstream connection lost: " + cause.getMessage();
        fail(VeilException.fatal(ErrorCode.UPSTREAM_LOST, "terminating connection: " + cause.getMessage()
                + "; reconnect to start a new session"));
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
        out.end(new ErrorResponse(fields).encode()); // after the answers held for their audit records
    }

    @Override
    protected void onClosing() {
        state = State.CLOSED;
        if (lease != null) {
            lease.ending(server);
        }
    }

    // ---- PgTransactionLease.Host ---------------------------------------------------------------------

    @Override
    public boolean leased(PgServerConnection conn) {
        if (state != State.READY) {
            conn.keepSessionStateOnReset();
            pool.release(conn); // the client left while the pool made it wait
            return false;
        }
        server = conn;
        conn.attach(results);
        return true;
    }

    @Override
    public void released() {
        results.flush();
        server = null;
    }

    @Override
    public void send(PgFrame frame) {
        server.noteSent(frame);
        toServer.add(frame, server::write);
    }

    @Override
    public void resumeClient() {
        if (flow == null || !flow.pausedClient()) {
            socket.resume();
        }
    }

    @Override
    public void leaseFailed(Throwable cause) {
        onLeaseFailed(cause);
    }

    @Override
    public long sessionId() {
        return session.id();
    }

    @Override
    public PgServerConnection server() {
        return server;
    }

    @Override
    protected void endFlow(String reason) {
        if (flow != null) {
            flow.close(reason);
        }
    }
}
