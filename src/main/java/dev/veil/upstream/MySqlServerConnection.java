package dev.veil.upstream;

import dev.veil.config.EndpointTlsMode;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.HandshakeV10;
import dev.veil.protocol.mysql.MalformedPacketException;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.PayloadWriter;
import dev.veil.protocol.mysql.ResponseTracker;
import dev.veil.protocol.mysql.SSLRequest;
import dev.veil.protocol.mysql.ServerStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One raw connection to a MySQL or MariaDB server, owned by the event loop it was opened on: starting up,
 * idle in its pool, running one of Veil's own commands (ping, reset), or leased to a client session and
 * relaying whole packets to a {@link ResultListener}. It negotiates exactly the response-shaping capabilities
 * of its {@link MySqlProfile}, so the server's answers can be relayed to any client of that profile.
 */
public final class MySqlServerConnection extends ServerLink<MySqlServerConnection, MySqlServerConnection.InternalResult> {
    private static final Logger LOG = Logger.getLogger(MySqlServerConnection.class);
    private static final long MAX_PACKET = 1L << 30;
    /**
     * A read-only login's session default. COM_RESET_CONNECTION brings session variables back to the server's
     * global values, so it is sent again after every reset, the pool's and a client's alike.
     */
    static final String READ_ONLY_STATEMENT = "SET SESSION TRANSACTION READ ONLY";

    private final MySqlProfile profile;
    private final PacketDecoder decoder = new PacketDecoder();

    private HandshakeV10 handshake;
    private int capabilities;
    private int mariaDbCapabilities;
    private int sequence;
    private MySqlServerAuthFlow auth;
    private ResponseTracker tracker;
    private MySqlResultReader reader;
    private ErrPacket internalError;
    private int internalPending;
    /** The first packet of the answer being read in the internal phase (null until it comes). */
    private Buffer internalFirst;
    private boolean schemaChanged;

    /**
     * Outcome of Veil's own commands: the first error, if any; of the last command, the rows its answer reported
     * (affected rows of an OK, rows of a result set) and its first packet (an OK, an ERR, or a result set's column
     * count); the status flags after it.
     */
    public record InternalResult(ErrPacket error, long rows, Buffer firstPacket, int statusFlags) {
        public InternalResult(ErrPacket error) {
            this(error, 0, null, 0);
        }
    }

    private MySqlServerConnection(NetSocket socket, Context context, UpstreamSettings upstream, String database,
                                  DatabaseLogin login, MySqlProfile profile) {
        super(socket, context, upstream, database, login);
        this.profile = profile;
    }

    /**
     * Reads the server's handshake, negotiates TLS as configured, authenticates as {@code login}, makes the session
     * read-only for a read-only login, and completes when ready.
     */
    static Future<MySqlServerConnection> start(NetSocket socket, Context context, UpstreamSettings upstream, String database,
                                               DatabaseLogin login, MySqlProfile profile) {
        MySqlServerConnection c = new MySqlServerConnection(socket, context, upstream, database, login, profile);
        Future<MySqlServerConnection> started = c.started(c::onData);
        if (!login.readOnly()) {
            return started;
        }
        return started.compose(conn -> conn.internal(readOnlyCommand()).map(r -> {
            if (r.error() != null) {
                conn.close();
                throw new UpstreamException("upstream " + upstream.name() + " refused to make the session of read-only"
                        + " user " + login.user() + " read-only: " + r.error().message());
            }
            return conn;
        }));
    }

    private void onData(Buffer chunk) {
        try {
            switch (phase) {
                case STARTING -> decoder.feed(chunk, (seq, buf, off, len) -> onStartupPacket(seq, buf.getBuffer(off, off + len)));
                case RELAY -> reader.read(decoder, chunk);
                case INTERNAL, IDLE -> decoder.feed(chunk, (seq, buf, off, len) -> {
                    if (phase == Phase.INTERNAL && internalError == null && len > 0 && buf.getUnsignedByte(off) == ErrPacket.HEADER) {
                        internalError = ErrPacket.decode(buf.getBuffer(off, off + len), true);
                    }
                    if (phase == Phase.INTERNAL && internalFirst == null) {
                        internalFirst = buf.getBuffer(off, off + len);
                    }
                    tracker.onPacket(buf, off, len);
                });
                case CLOSED -> { }
            }
        } catch (UpstreamException e) {
            fail(e);
        } catch (MalformedPacketException e) {
            onError(new UpstreamException("upstream " + upstream.name() + " broke the protocol: " + e.getMessage()));
        } catch (RuntimeException e) {
            onError(e);
        }
    }

    private void onStartupPacket(int seq, Buffer payload) {
        sequence = (seq + 1) & 0xFF;
        if (handshake == null) {
            handshake = HandshakeV10.decode(payload);
            negotiate();
            return;
        }
        MySqlServerAuthFlow.Step step = auth.onPacket(payload);
        if (step.reply() != null) {
            socket.write(Packets.frame(sequence, step.reply()));
        }
        if (step.done()) {
            tracker = new ResponseTracker(Capabilities.has(capabilities, Capabilities.DEPRECATE_EOF), this::onResponseComplete);
            ready();
        }
    }

    private void negotiate() {
        int server = handshake.capabilities();
        int wanted = (Capabilities.SUPPORTED & ~Capabilities.RESPONSE_SHAPING) | profile.capabilities();
        if (database != null) {
            wanted |= Capabilities.CONNECT_WITH_DB;
        } else {
            wanted &= ~Capabilities.CONNECT_WITH_DB;
        }
        int missing = profile.capabilities() & ~server;
        int missingMariaDb = profile.mariaDbCapabilities() & ~handshake.mariaDbCapabilities();
        if (missing != 0 || missingMariaDb != 0 || !Capabilities.has(server, Capabilities.PROTOCOL_41)) {
            throw new UpstreamException("upstream " + upstream.name() + " (" + handshake.serverVersion()
                    + ") lacks capabilities the client negotiated: 0x" + Integer.toHexString(missing)
                    + (missingMariaDb == 0 ? "" : ", MariaDB extended 0x" + Integer.toHexString(missingMariaDb)));
        }
        capabilities = wanted & server;
        mariaDbCapabilities = profile.mariaDbCapabilities();
        if (mariaDbCapabilities != 0) {
            // MariaDB's extended flags are read from the reserved bytes only while CLIENT_MYSQL is clear.
            capabilities &= ~Capabilities.LONG_PASSWORD;
        }
        EndpointTlsMode tlsMode = upstream.tls().mode();
        boolean serverTls = Capabilities.has(server, Capabilities.SSL);
        if (tlsMode != EndpointTlsMode.DISABLE && serverTls) {
            capabilities |= Capabilities.SSL;
            socket.write(Packets.frame(sequence, new SSLRequest(capabilities, MAX_PACKET, profile.characterSet(), mariaDbCapabilities).encode()));
            sequence = (sequence + 1) & 0xFF;
            socket.upgradeToSsl(upstream.host()).onComplete(ar -> {
                if (ar.succeeded()) {
                    tls = true;
                    sendResponse();
                } else {
                    fail(new UpstreamException("TLS handshake with " + upstream.host() + ":" + upstream.port()
                            + " failed: " + ar.cause().getMessage(), null, ar.cause()));
                }
            });
        } else if (tlsMode == EndpointTlsMode.DISABLE || tlsMode == EndpointTlsMode.PREFER) {
            sendResponse();
        } else {
            throw new UpstreamException("upstream " + upstream.name() + " does not support TLS, but tls mode is "
                    + tlsMode.sslmode());
        }
    }

    private void sendResponse() {
        auth = new MySqlServerAuthFlow(upstream.name(), login.password(), tls);
        byte[] authResponse = auth.initial(handshake.authPluginName(), handshake.authPluginData());
        HandshakeResponse41 response = new HandshakeResponse41(capabilities, MAX_PACKET, profile.characterSet(),
                login.user(), authResponse, database, auth.pluginName(), Map.of("_client_name", "veil", "program_name", "veil"),
                mariaDbCapabilities);
        socket.write(Packets.frame(sequence, response.encode()));
    }

    private void onResponseComplete(int command, boolean error, int status, long rows) {
        if (phase == Phase.RELAY) {
            if (reader.answered(error, rows)) {
                // Veil's own SET of a read-only session failed: the session might write; it ends here.
                throw new UpstreamException("upstream " + upstream.name() + " refused to make the session of read-only"
                        + " user " + login.user() + " read-only again after COM_RESET_CONNECTION");
            }
        } else if (phase == Phase.INTERNAL) {
            if (error && internalError == null) {
                internalError = new ErrPacket(0, "HY000", Command.name(command) + " failed");
            }
            Buffer first = internalFirst;
            internalFirst = null;
            if (--internalPending == 0) {
                ErrPacket err = internalError;
                internalError = null;
                completeInternal(new InternalResult(err, rows, first, status));
            }
        }
    }

    private static Buffer readOnlyCommand() {
        return new PayloadWriter(1 + READ_ONLY_STATEMENT.length()).int1(Command.COM_QUERY).string(READ_ONLY_STATEMENT).payload();
    }

    /** Runs one statement of Veil's own (KILL QUERY on a control connection); completes when it is answered. */
    public Future<InternalResult> query(String sql) {
        return internal(new PayloadWriter(1 + sql.length()).int1(Command.COM_QUERY).string(sql).payload());
    }

    /**
     * Runs a client's command as one of Veil's own, on a connection taken back from its session for it
     * ({@link #detach()}): its answer is not relayed but summed up (an affected-rows ceiling counts it first).
     */
    public Future<InternalResult> runForClient(Buffer payload, ResponseTracker.Shape shape) {
        Future<InternalResult> done = beginInternal();
        if (done.failed()) {
            return done;
        }
        internalPending = 1;
        tracker.expect(payload.getUnsignedByte(0), shape);
        socket.write(Packets.frame(0, payload));
        return done;
    }

    /** Sends Veil's own commands back to back (pipelined) and completes when all are answered. */
    private Future<InternalResult> internal(Buffer... commands) {
        Future<InternalResult> done = beginInternal();
        if (done.failed()) {
            return done;
        }
        internalPending = commands.length;
        Buffer out = Buffer.buffer();
        for (Buffer c : commands) {
            int cmd = c.getUnsignedByte(0);
            tracker.expect(cmd, cmd == Command.COM_QUERY ? ResponseTracker.Shape.RESULT : ResponseTracker.Shape.SINGLE);
            out.appendBuffer(Packets.frame(0, c));
        }
        socket.write(out);
        return done;
    }

    @Override
    public Future<Boolean> healthCheck() {
        return internal(new PayloadWriter(1).int1(Command.COM_PING).payload()).map(r -> r.error() == null);
    }

    /**
     * COM_RESET_CONNECTION (rolls back, drops temporary tables, prepared statements, user variables and
     * session settings, like a new login but without re-authenticating), then COM_INIT_DB to go back to the
     * pool's database, which a client may have changed with USE; for a read-only login, SET SESSION TRANSACTION
     * READ ONLY again.
     */
    @Override
    public Future<Boolean> reset() {
        if (!quiescent()) {
            LOG.debugf("upstream %s: released mid-command", upstream.name());
            return Future.succeededFuture(false);
        }
        if (database == null && schemaChanged) {
            // COM_RESET_CONNECTION keeps the current schema and nothing can unselect one: a connection of a
            // pool without a schema whose client chose one is not reused.
            return Future.succeededFuture(false);
        }
        List<Buffer> commands = new ArrayList<>();
        commands.add(new PayloadWriter(1).int1(Command.COM_RESET_CONNECTION).payload());
        if (database != null) {
            commands.add(new PayloadWriter(1 + database.length()).int1(Command.COM_INIT_DB).string(database).payload());
        }
        if (login.readOnly()) {
            commands.add(readOnlyCommand());
        }
        Future<InternalResult> f = internal(commands.toArray(Buffer[]::new));
        return f.map(r -> {
            if (r.error() != null) {
                LOG.warnf("upstream %s: reset failed: %s", upstream.name(), r.error().message());
            }
            return r.error() == null && (tracker.statusFlags() & ServerStatus.IN_TRANS) == 0;
        });
    }

    /** Hands the connection to a session: every packet from now on goes to {@code l}. */
    @Override
    public void attach(ResultListener l) {
        reader = new MySqlResultReader(tracker, l);
        super.attach(l);
    }

    @Override
    public void detach() {
        reader = null;
        super.detach();
    }

    /** Forwards one client command (already framed); {@code shape} says what its answer looks like, null if none. */
    public void send(Buffer framed, int command, ResponseTracker.Shape shape) {
        if (shape != null) {
            tracker.expect(command, shape);
            reader.expect(false);
        }
        socket.write(framed);
        if (command == Command.COM_RESET_CONNECTION && login.readOnly()) {
            // The client's reset makes the session read-write again (the server's global default): Veil's SET follows
            // it at once, before anything the client sends next, and its answer is Veil's alone.
            tracker.expect(Command.COM_QUERY, ResponseTracker.Shape.RESULT);
            reader.expect(true);
            socket.write(Packets.frame(0, readOnlyCommand()));
        }
    }

    /** The client may have selected another schema (COM_INIT_DB or USE). */
    public void noteSchemaChange() {
        schemaChanged = true;
    }

    /** True while the answer being read is a binary protocol resultset (COM_STMT_EXECUTE, COM_STMT_FETCH). */
    public boolean binaryRows() {
        return tracker.binaryRows();
    }

    /** The answers' bookkeeping: last prepared statement id, last error (read when a response completes). */
    public ResponseTracker tracker() {
        return tracker;
    }

    /** Commands forwarded whose answers have not fully arrived. */
    public int pendingResponses() {
        return tracker == null ? 0 : tracker.pending();
    }

    /** Between commands: every command answered and no half-received packet. */
    public boolean quiescent() {
        return phase != Phase.CLOSED && tracker != null && tracker.pending() == 0 && decoder.pendingBytes() == 0;
    }

    public boolean inTransaction() {
        return tracker != null && (tracker.statusFlags() & ServerStatus.IN_TRANS) != 0;
    }

    @Override
    public void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        boolean polite = phase == Phase.IDLE;
        phase = Phase.CLOSED;
        if (polite) {
            socket.write(Packets.frame(0, new PayloadWriter(1).int1(Command.COM_QUIT).payload()));
        }
        socket.close();
    }

    /** The server's greeting: version string, its thread id for this connection, capabilities. */
    public HandshakeV10 handshake() {
        return handshake;
    }

    public int capabilities() {
        return capabilities;
    }
}
