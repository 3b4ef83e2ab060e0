package dev.veil.frontend.mysql;

import dev.veil.analysis.Dialect;
import dev.veil.config.ListenerTlsMode;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.MalformedPacketException;
import dev.veil.protocol.mysql.OkPacket;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.PacketOutOfOrderException;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.SSLRequest;
import dev.veil.protocol.mysql.ServerStatus;
import dev.veil.protocol.mysql.PacketTooLargeException;
import dev.veil.identity.Identity;
import dev.veil.session.SessionGrants;
import dev.veil.session.SessionOpener;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.MySqlProfile;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.MySqlServerConnection;
import dev.veil.upstream.UpstreamException;
import dev.veil.upstream.UpstreamRouter;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import org.jboss.logging.Logger;

import dev.veil.frontend.ClientConnection;
import dev.veil.frontend.ClientSlot;
import io.netty.channel.ChannelPipeline;

/**
 * One MySQL client connection, confined to the event loop that accepted it: handshake, optional TLS,
 * authentication, leasing a server connection, then the command phase, where commands are relayed and
 * answers come back byte for byte. Every error Veil raises goes out through {@link #fail}.
 * Protocol: dev.mysql.com "Client/Server Protocol" (Connection Phase, Command Phase).
 */
final class MySqlConnection extends ClientConnection<MySqlServerConnection> implements MySqlCommandPhase.Connection {
    private static final Logger LOG = Logger.getLogger(MySqlConnection.class);
    private static final String FALLBACK_VERSION = "8.0.40-Veil";

    private enum State { HANDSHAKE, AUTHENTICATING, CONNECTING, READY, CLOSED }

    private final MySqlEngine engine;
    private final PacketDecoder decoder = PacketDecoder.beforeLogin();
    private final long connectionId;
    private final byte[] nonce = new byte[20];
    private final int offered;
    private final int offeredMariaDb;

    private State state = State.HANDSHAKE;
    private boolean tls;
    private int sequence;
    private int clientCaps;
    /** MariaDB extended capabilities the client negotiated (extended metadata), 0 for other clients. */
    private int clientMariaDbCaps;
    private int charset;
    private MySqlAuthFlow auth;
    private UpstreamRouter.Route route;
    private Buffer handshakeBytes;
    private MySqlStatementFlow flow;
    private MySqlCommandPhase commands;
    /** The database user the session's server connections log in as, decided once logged in. */
    private DatabaseLogin login;
    /** The access grants the session opens under (docs/access.md); read before the database user is decided. */
    private SessionGrants grants = SessionGrants.NONE;
    /** The server's answers on their way to the client (issue 11: the seam where results can be rewritten). */
    private MySqlResultRelay results;
    private String programName;

    MySqlConnection(NetSocket socket, MySqlEngine engine, ClientSlot slot) {
        super(socket, engine, slot);
        this.engine = engine;
        this.connectionId = engineContext.sessions().registry().nextSessionId();
        this.offeredMariaDb = engine.offeredMariaDbCapabilities();
        this.offered = engine.offeredCapabilities(offeredMariaDb);
        for (int i = 0; i < nonce.length; i++) {
            // Printable and never NUL: the nonce is NUL-terminated on the wire.
            nonce[i] = (byte) (33 + engine.random.nextInt(94));
        }
        sendGreeting();
    }

    @Override
    protected void onAuthenticationTimeout(String why) {
        if (state == State.HANDSHAKE || state == State.AUTHENTICATING) {
            fail(VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Bad handshake: authentication timed out: " + why), sequence);
        }
    }

    private void sendGreeting() {
        HandshakeV10 server = engine.defaultGreeting();
        String version = server == null ? FALLBACK_VERSION : server.serverVersion();
        charset = server == null || server.characterSet() == 0 ? MySqlEngine.DEFAULT_CHARSET : server.characterSet();
        String plugin = MySqlAuthFlow.preferredPlugin(engine.listener.authPlugin(), false, loopback);
        HandshakeV10 greeting = new HandshakeV10(version, connectionId, nonce, offered, charset,
                ServerStatus.AUTOCOMMIT, plugin, offeredMariaDb);
        socket.write(Packets.frame(0, greeting.encode()));
        sequence = 1;
    }

    @Override
    protected void onData(Buffer chunk) {
        try {
            switch (state) {
                case HANDSHAKE -> onHandshakeBytes(chunk);
                case AUTHENTICATING -> decoder.feed(chunk, this::onAuthPacket);
                case CONNECTING -> throw VeilException.fatal(ErrorCode.PACKETS_OUT_OF_ORDER,
                        "Got packets out of order: a command arrived before authentication ended");
                case READY -> {
                    decoder.feed(chunk, commands::onPacket);
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
        } catch (PacketOutOfOrderException e) {
            // The client lost count of its own packets (before or after login): nothing it sends can be framed.
            fail(VeilException.fatal(ErrorCode.PACKETS_OUT_OF_ORDER, e.getMessage()), (e.sequenceId() + 1) & 0xFF);
        } catch (PacketTooLargeException e) {
            fail(state == State.READY ? commands.packetTooLarge() : VeilException.fatal(ErrorCode.PACKET_TOO_LARGE, "Got a packet of "
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
            throw VeilException.fatal(ErrorCode.PACKETS_OUT_OF_ORDER, "Got packets out of order (sequence " + seq + ", expected " + sequence + ")");
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
            throw VeilException.fatal(ErrorCode.PACKETS_OUT_OF_ORDER, "Got packets out of order: a command arrived before authentication ended");
        }
        if (seq != sequence) {
            throw VeilException.fatal(ErrorCode.PACKETS_OUT_OF_ORDER, "Got packets out of order (sequence " + seq + ", expected " + sequence + ")");
        }
        sequence = (seq + 1) & 0xFF;
        apply(auth.onPacket(buf.getBuffer(off, off + len)));
    }

    private void startTls(Buffer early) {
        if (tls || !engine.isTlsAvailable() || engine.listener.tls().mode() == ListenerTlsMode.OFF) {
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
        startupReceived();
        if (!Capabilities.has(response.capabilities(), Capabilities.PROTOCOL_41)) {
            throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "Bad handshake: Veil speaks only protocol 4.1");
        }
        if (engine.listener.tls().mode() == ListenerTlsMode.REQUIRED && !tls) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION, "Veil requires TLS: connect with --ssl-mode=REQUIRED (sslMode=REQUIRED)");
        }
        clientCaps = response.capabilities() & offered;
        clientMariaDbCaps = response.mariaDbCapabilities() & offeredMariaDb;
        programName = response.attributes().get("program_name");
        if (response.characterSet() != 0) {
            charset = response.characterSet();
        }
        route = engine.route(Capabilities.has(clientCaps, Capabilities.CONNECT_WITH_DB) ? response.database() : null);
        state = State.AUTHENTICATING;
        auth = new MySqlAuthFlow(engineContext.authenticator(), engine.listener, nonce, tls, loopback, clientHost);
        // Recent failed logins from this address or for this user delay the verdict (identity/LoginThrottle); a
        // packet sent meanwhile is refused by the flow as out of turn. After a wait, refusals come back here.
        engineContext.authenticator().admit(clientHost, response.user()).onSuccess(v -> {
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
            loggedIn(step.identity()); // over the identity's session limit: 1203, recorded by fail
            connectUpstream(step.identity());
        } else if (step.verifying() != null) {
            // Nothing more is read until the verdict (a client must wait for it anyway).
            socket.pause();
            step.verifying().onComplete(ar -> {
                if (state != State.AUTHENTICATING) {
                    return; // the client left, or the authentication timer fired
                }
                if (ar.succeeded()) {
                    try {
                        loggedIn(ar.result());
                    } catch (VeilException e) {
                        fail(e, sequence);
                        return;
                    }
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
        // The identity's access grants first (a read of the control plane, on this loop, bounded): their roles
        // decide the database user and the policy roles of the session. Completed at once when there are none to
        // read. MySQL has no notice before the first command: a grant that could not be read is only logged.
        state = State.CONNECTING;
        socket.pause();
        engineContext.sessions().grants(identity).onComplete(ar -> {
            if (state == State.CLOSED) {
                return;
            }
            grants = ar.succeeded() ? ar.result() : SessionGrants.NONE;
            lease(identity);
        });
    }

    private void lease(Identity identity) {
        try {
            login = engineContext.sessions().login(identity, grants, route.upstream(), null);
        } catch (VeilException e) {
            engineContext.auditor().authenticationFailed("mysql", identity.name(), clientHost, tls, e);
            fail(e, sequence);
            return;
        }
        state = State.CONNECTING;
        socket.pause();
        pool = engineContext.upstreams().mysqlPool(route.upstream(), route.database(), login,
                new MySqlProfile(clientCaps, clientMariaDbCaps, charset));
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
        SessionOpener.Opened opened;
        try {
            opened = engineContext.sessions().open(connectionId, (int) connectionId, identity, Dialect.MYSQL, clientHost, tls,
                    route, programName, login, grants);
        } catch (RuntimeException e) {
            // A session Veil cannot open (its start record cannot be written, …) ends with an error, never a silent
            // wait: the exception would otherwise end in Vert.x's handler and leave the client waiting forever.
            LOG.errorf(e, "the session of %s could not be opened", identity.name());
            MySqlServerConnection leased = server;
            server = null;
            if (leased != null) {
                pool.release(leased);
            }
            onLeaseFailed(VeilException.fatal(ErrorCode.INTERNAL, "Veil could not open the session (an internal error;"
                    + " Veil's log has the details); try again, and tell the operator if it persists"));
            return;
        }
        session = opened.session();
        MySqlServerConnection conn = server;
        session.onCancel(() -> engine.killOnUpstream(conn, false));
        session.onTerminate(() -> context.runOnContext(v -> terminate()));
        // An unsolicited ERR, as the server sends on wait_timeout: the client reads it as the end of the session.
        session.onEnd(reason -> context.runOnContext(v -> fail(reason, 0)));
        flow = new MySqlStatementFlow(opened.pipeline(), ClientView.of(connectionId, server.handshake().connectionId(),
                tls ? socket.sslSession() : null), engineContext.masks());
        commands = new MySqlCommandPhase(this, session, engineContext.sessions().registry(), server, flow, out, context,
                clientCaps, engine.listener.maxMessageBytes());
        results = new MySqlResultRelay(out, server::binaryRows, commands::onResponseComplete, this::onServerLost,
                Capabilities.has(clientMariaDbCaps, Capabilities.MARIADB_EXTENDED_METADATA), flow::answerRewriter);
        server.attach(results);
        // Logged in: a physical packet over the command limit is refused at its header, as before login.
        decoder.limit(Math.min(engine.listener.maxMessageBytes(), Packets.MAX_PAYLOAD));
        state = State.READY;
        int status = ServerStatus.AUTOCOMMIT;
        socket.write(Packets.frame(sequence, new OkPacket(0, 0, status, 0, "").encode(sessionTrack())));
        if (Capabilities.has(clientCaps, Capabilities.COMPRESS)) {
            // The OK went out plain (it is already past the handler's place); all that follows is compressed.
            CompressedWire.install(((NetSocketInternal) socket).channelHandlerContext().pipeline(), e -> fail(
                    VeilException.fatal(ErrorCode.UNCOMPRESS_FAILED, "Couldn't uncompress communication packet: "
                            + e.getMessage() + "; the connection is closed"), 1));
        }
        LOG.debugf("MySQL session %d: %s -> %s/%s", session.id(), identity.name(), route.upstream().name(), route.database());
        socket.resume();
    }

    private boolean sessionTrack() {
        return Capabilities.has(clientCaps, Capabilities.SESSION_TRACK);
    }

    // ---- what the command phase needs ----------------------------------------------------------------

    @Override
    public boolean live() {
        return state == State.READY && server != null;
    }

    @Override
    public void relayAgain() {
        server.attach(results);
    }

    @Override
    public void renumberNextAnswer(int by) {
        results.renumberNextAnswer(by);
    }

    @Override
    public void quit() {
        endReason = "client quit";
        state = State.CLOSED;
        socket.close();
    }

    // ---- command phase -------------------------------------------------------------------------------

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

    /** The server connection broke; what it sent before has been relayed. */
    private void onServerLost(Throwable cause) {
        server = null;
        if (state == State.CLOSED) {
            return;
        }
        LOG.warnf("MySQL session %d lost its upstream connection: %s", connectionId, cause.getMessage());
        fail(VeilException.fatal(ErrorCode.UPSTREAM_LOST, "Lost connection to upstream: " + cause.getMessage()
                + "; reconnect to start a new session"), 0);
    }

    // ---- errors and end ------------------------------------------------------------------------------

    static ErrPacket errPacket(VeilException e) {
        return new ErrPacket(e.code().mysqlErrno(), e.code().mysqlSqlState(), e.getMessage());
    }

    /** The error funnel: one ERR packet; a fatal one ends the connection, others leave it ready for the next command. */
    @Override
    public void fail(VeilException e, int seq) {
        if (state == State.CLOSED) {
            return;
        }
        if ((state == State.HANDSHAKE || state == State.AUTHENTICATING) && e.code() != ErrorCode.INTERNAL) {
            engineContext.auditor().authenticationFailed("mysql", auth == null ? null : auth.user(), clientHost, tls, e);
        }
        Buffer packet = Packets.frame(seq, errPacket(e).encode());
        if (e.fatal() || state != State.READY) {
            endReason = "error " + e.code().mysqlErrno() + ": " + e.getMessage(); // the session's end, in the audit trail
            state = State.CLOSED;
            out.end(packet); // after the answers held for their audit records
        } else {
            out.write(packet); // behind any answer still held for the audit
        }
    }

    @Override
    protected void onClosing() {
        if (state == State.AUTHENTICATING && auth != null && auth.user() != null) {
            // A client that hangs up mid-authentication (one that refuses the plugin it was switched to, say) is
            // a failed attempt too; a refusal of Veil's own has already closed the state and is recorded there.
            engineContext.auditor().authenticationFailed("mysql", auth.user(), clientHost, tls, VeilException.fatal(
                    ErrorCode.AUTH_FAILED, "the client closed the connection during authentication"));
        }
        state = State.CLOSED;
    }

    @Override
    protected void endFlow(String reason) {
        if (flow != null) {
            flow.end(reason);
        }
    }
}
