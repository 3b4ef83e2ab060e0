package dev.veil.upstream;

import dev.veil.config.EndpointTlsMode;
import dev.veil.protocol.pg.Authentication;
import dev.veil.protocol.pg.BackendKeyData;
import dev.veil.protocol.pg.ErrorResponse;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.ParameterStatus;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.PgFrameDecoder;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.protocol.pg.SSLRequest;
import dev.veil.protocol.pg.StartupMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One raw connection to a PostgreSQL server, owned by the event loop it was opened on. It is either
 * starting up, idle in its pool, running one of Veil's own simple queries (reset, health check, session
 * settings), or leased to a client session and relaying whole frames to a {@link ResultListener}.
 */
public final class PgServerConnection extends ServerLink<PgServerConnection, PgServerConnection.InternalResult> {
    private static final Logger LOG = Logger.getLogger(PgServerConnection.class);
    /** The setting a read-only login's connections start with. */
    public static final String READ_ONLY_SETTING = "default_transaction_read_only";

    private final PgFrameDecoder decoder = new PgFrameDecoder(Integer.MAX_VALUE);
    private final Map<String, String> parameters = new LinkedHashMap<>();

    /** Starting: waiting for the answer to SSLRequest (before the StartupMessage). */
    private boolean negotiatingTls;
    private BackendKeyData backendKey;
    private char transactionStatus = ReadyForQuery.IDLE;

    // Frames sent by a client that each end in one ReadyForQuery, minus the ReadyForQuery frames seen.
    private int readyPending;
    private boolean extendedSinceSync;
    private boolean inCopyIn;

    private PgServerAuthFlow auth;
    private ErrorResponse internalError;

    // Transaction pooling: the statements prepared on this connection, the client startup settings last applied
    // to it (a set_config statement, "" for none, null when unknown), reported parameters changed while leased.
    private final ServerStatements statements = new ServerStatements();
    private String appliedSettings;
    private final Map<String, String> valuesAtLease = new HashMap<>();
    /** The next reset keeps the session state (the session that held it changed none): no DISCARD ALL. */
    private boolean resetKeepsState;
    /** Startup parameters beyond user and database (a replication connection's). */
    private final Map<String, String> startupExtras;

    /** Outcome of one of Veil's own simple queries. */
    public record InternalResult(ErrorResponse error, char transactionStatus) {
    }

    private PgServerConnection(NetSocket socket, Context context, UpstreamSettings upstream, String database, DatabaseLogin login,
                               Map<String, String> startupExtras) {
        super(socket, context, upstream, database, login);
        this.startupExtras = startupExtras;
    }

    /** Negotiates TLS as configured, authenticates as {@code login}, and completes once the server is ready for queries. */
    static Future<PgServerConnection> start(NetSocket socket, Context context, UpstreamSettings upstream, String database,
                                            DatabaseLogin login) {
        return start(socket, context, upstream, database, login, Map.of());
    }

    /**
     * {@link #start} with more startup parameters ({@code user} and {@code database} stay Veil's): a replication
     * connection's, which is never pooled ({@link #reset()} refuses it).
     */
    static Future<PgServerConnection> start(NetSocket socket, Context context, UpstreamSettings upstream, String database,
                                            DatabaseLogin login, Map<String, String> startupExtras) {
        PgServerConnection c = new PgServerConnection(socket, context, upstream, database, login, Map.copyOf(startupExtras));
        Future<PgServerConnection> started = c.started(c::onData);
        if (upstream.tls().mode() == EndpointTlsMode.DISABLE) {
            c.sendStartup();
        } else {
            c.negotiatingTls = true;
            socket.write(new SSLRequest().encode());
        }
        return started;
    }

    private void sendStartup() {
        negotiatingTls = false;
        Map<String, String> params = new LinkedHashMap<>(startupExtras);
        params.put("user", login.user());
        params.put("database", database);
        if (login.readOnly()) {
            // A setting of the startup packet is the session's default: RESET ALL and DISCARD ALL (the pool's reset,
            // transaction pooling's settings) go back to it, so every transaction of the connection's life is read-only.
            params.put(READ_ONLY_SETTING, "on");
        }
        auth = new PgServerAuthFlow(login.user(), login.password());
        socket.write(new StartupMessage(StartupMessage.PROTOCOL_3_0, params).encode());
    }

    private void onData(Buffer chunk) {
        if (negotiatingTls) {
            onTlsAnswer(chunk);
            return;
        }
        try {
            decoder.feed(chunk, this::onFrame);
        } catch (RuntimeException e) {
            onError(e);
            return;
        }
        if (phase == Phase.RELAY && listener != null) {
            listener.onReadComplete();
        }
    }

    private void onTlsAnswer(Buffer chunk) {
        byte answer = chunk.getByte(0);
        if (chunk.length() > 1) {
            // Bytes after the answer would be unencrypted data injected before the handshake (CVE-2021-23222).
            fail(new UpstreamException("server sent unexpected data after its answer to SSLRequest"));
            return;
        }
        if (answer == 'S') {
            socket.upgradeToSsl(upstream.host()).onComplete(ar -> {
                if (ar.succeeded()) {
                    tls = true;
                    sendStartup();
                } else {
                    fail(new UpstreamException("TLS handshake with " + upstream.host() + ":" + upstream.port()
                            + " failed: " + ar.cause().getMessage(), null, ar.cause()));
                }
            });
        } else if (answer == 'N') {
            EndpointTlsMode m = upstream.tls().mode();
            if (m == EndpointTlsMode.PREFER) {
                sendStartup();
            } else {
                fail(new UpstreamException("upstream " + upstream.name() + " does not support TLS, but tls mode is "
                        + m.sslmode()));
            }
        } else {
            fail(new UpstreamException("unexpected answer to SSLRequest from upstream " + upstream.name()));
        }
    }

    private void onFrame(PgFrame frame) {
        switch (frame.typeChar()) {
            case ParameterStatus.TYPE -> {
                ParameterStatus ps = ParameterStatus.decode(frame);
                String before = parameters.put(ps.name(), ps.value());
                if (phase == Phase.RELAY && !valuesAtLease.containsKey(ps.name())) {
                    valuesAtLease.put(ps.name(), before);
                }
            }
            case ReadyForQuery.TYPE -> {
                transactionStatus = ReadyForQuery.statusOf(frame);
                if (readyPending > 0) {
                    readyPending--;
                }
                if (phase != Phase.STARTING) {
                    statements.readyReceived();
                }
            }
            case 'G' -> inCopyIn = true;
            case 'c', 'C' -> { }
            default -> { }
        }
        switch (phase) {
            case RELAY -> {
                if (frame.type() == 'Z' || frame.type() == 'E') {
                    inCopyIn = false;
                }
                if (statements.expecting() || frame.type() == 'E' || frame.type() == 'C') {
                    frame = followStatements(frame);
                    if (frame == null) {
                        return;
                    }
                }
                PgResultReader.deliver(frame, listener);
            }
            case STARTING -> onStartupFrame(frame);
            case INTERNAL -> onInternalFrame(frame);
            default -> {
                // Idle: asynchronous messages (a NOTICE, a NOTIFY left over, a FATAL before shutdown).
                if (frame.type() == ErrorResponse.TYPE) {
                    LOG.debugf("idle upstream connection got an error: %s", ErrorResponse.decode(frame).message());
                }
            }
        }
    }

    /** Transaction pooling's prepared statements: which answers the client sees, and as what (null: none). */
    private PgFrame followStatements(PgFrame frame) {
        switch (frame.typeChar()) {
            case '1', '3' -> {
                if (statements.expecting()) {
                    switch (statements.answer()) {
                        case SWALLOW -> {
                            return null;
                        }
                        case AS_PARSE_COMPLETE -> {
                            return PgFrame.of(Buffer.buffer(5).appendByte((byte) '1').appendInt(4));
                        }
                        default -> { }
                    }
                }
            }
            case 'E' -> statements.failed();
            case 'C' -> {
                // DISCARD ALL and DEALLOCATE ALL from a client drop the server's prepared statements (and settings).
                int bodyLength = frame.length() - PgFrame.HEADER;
                if (bodyLength == 12 || bodyLength == 15) {
                    String tag = frame.body().getString(0, bodyLength - 1, "UTF-8");
                    if (tag.equals("DISCARD ALL") || tag.equals("DEALLOCATE ALL")) {
                        statements.forgetAll();
                    }
                    if (tag.equals("DISCARD ALL")) {
                        appliedSettings = null;
                    }
                }
            }
            default -> { }
        }
        return frame;
    }

    private void onStartupFrame(PgFrame frame) {
        try {
            switch (frame.typeChar()) {
                case 'R' -> {
                    Buffer answer = auth.answer(Authentication.decode(frame));
                    if (answer != null) {
                        socket.write(answer);
                    }
                }
                case BackendKeyData.TYPE -> backendKey = BackendKeyData.decode(frame);
                case ErrorResponse.TYPE -> {
                    ErrorResponse err = ErrorResponse.decode(frame);
                    fail(new UpstreamException("upstream " + upstream.name() + " refused the connection: "
                            + err.message(), err, null));
                }
                case ReadyForQuery.TYPE -> ready();
                default -> { } // NoticeResponse, NegotiateProtocolVersion, ParameterStatus (tracked above)
            }
        } catch (UpstreamException e) {
            fail(e);
        } catch (Exception e) {
            fail(new UpstreamException("authentication with upstream " + upstream.name() + " failed: " + e.getMessage(), null, e));
        }
    }

    private void onInternalFrame(PgFrame frame) {
        if (frame.type() == ErrorResponse.TYPE && internalError == null) {
            internalError = ErrorResponse.decode(frame);
        } else if (frame.type() == ReadyForQuery.TYPE && readyPending == 0) {
            ErrorResponse err = internalError;
            internalError = null;
            completeInternal(new InternalResult(err, transactionStatus));
        }
    }

    /** Runs Veil's own simple query (reset, health check, SETs); must be called on this connection's context. */
    public Future<InternalResult> execute(String sql) {
        Future<InternalResult> done = beginInternal();
        if (done.failed()) {
            return done;
        }
        readyPending++;
        statements.readyOwed();
        socket.write(new FrontendMessage.Query(sql).encode());
        return done;
    }

    /** Runs a Sync to end an extended-protocol exchange a client left open. */
    public Future<InternalResult> sync() {
        Future<InternalResult> done = beginInternal();
        if (done.failed()) {
            return done;
        }
        readyPending++;
        statements.readyOwed();
        extendedSinceSync = false;
        socket.write(Buffer.buffer(5).appendByte((byte) 'S').appendInt(4));
        return done;
    }

    /** Forwards client bytes. {@code frame} tells which message it is so the connection knows when it is clean. */
    public void noteSent(PgFrame frame) {
        switch (frame.typeChar()) {
            case 'Q', 'F' -> {
                readyPending++;
                statements.readyOwed();
            }
            case 'S' -> {
                readyPending++;
                statements.readyOwed();
                extendedSinceSync = false;
            }
            case 'P', 'B', 'D', 'E', 'C', 'H' -> extendedSinceSync = true;
            case 'c', 'f' -> inCopyIn = false;
            default -> { }
        }
    }

    public void write(Buffer bytes) {
        socket.write(bytes);
    }

    /**
     * True when the server is between statements, so a reset can run: every Query/Sync answered, no COPY
     * in progress and no half-received frame. A connection that is not clean is closed instead of reused.
     */
    public boolean quiescent() {
        return phase != Phase.CLOSED && readyPending == 0 && !inCopyIn && decoder.pendingBytes() == 0;
    }

    @Override
    public Future<Boolean> healthCheck() {
        return execute("").map(r -> r.error() == null);
    }

    /**
     * Ends any open extended-protocol sequence and transaction, then DISCARD ALL: RESET ALL, DEALLOCATE ALL,
     * CLOSE ALL, UNLISTEN *, advisory locks, temporary tables, cached plans. A connection released
     * mid-statement (not {@link #quiescent()}) is never reused.
     */
    @Override
    public Future<Boolean> reset() {
        if (startupExtras.containsKey("replication")) {
            return Future.succeededFuture(false); // a walsender serves one session: never pooled
        }
        if (!quiescent()) {
            LOG.debugf("upstream %s: released mid-statement", upstream.name());
            return Future.succeededFuture(false);
        }
        boolean keepState = resetKeepsState;
        resetKeepsState = false;
        Future<InternalResult> ready = extendedSinceSync ? sync() : Future.succeededFuture(new InternalResult(null, transactionStatus));
        Future<InternalResult> ended = ready.compose(v -> transactionStatus == ReadyForQuery.IDLE ? Future.succeededFuture(v) : execute("ROLLBACK"));
        if (keepState) {
            // Transaction pooling, a session that changed no session state: its prepared statements (Veil's
            // names, shared by every client) and startup settings (checked at each lease) stay.
            return ended.map(r -> r.error() == null && transactionStatus == ReadyForQuery.IDLE);
        }
        statements.forgetAll();
        appliedSettings = null;
        return ended.compose(v -> execute("DISCARD ALL"))
                .map(r -> {
                    if (r.error() != null) {
                        LOG.warnf("upstream %s: reset failed: %s", upstream.name(), r.error().message());
                    }
                    return r.error() == null && transactionStatus == ReadyForQuery.IDLE;
                });
    }

    /** Under transaction pooling: the next {@link #reset()} only ends the transaction (no DISCARD ALL). */
    public void keepSessionStateOnReset() {
        resetKeepsState = true;
    }

    @Override
    public void attach(ResultListener l) {
        valuesAtLease.clear();
        super.attach(l);
    }

    /**
     * Reported parameters (ParameterStatus) whose value differs from the one they had when the connection was
     * leased, with their values now: SETs the session made that outlast its transaction.
     */
    public Map<String, String> parametersChangedSinceLease() {
        if (valuesAtLease.isEmpty()) {
            return Map.of();
        }
        Map<String, String> changed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : valuesAtLease.entrySet()) {
            String now = parameters.get(e.getKey());
            if (!Objects.equals(e.getValue(), now)) {
                changed.put(e.getKey(), now);
            }
        }
        return changed;
    }

    public ServerStatements statements() {
        return statements;
    }

    /** The client startup settings last applied ({@code set_config} statement, "" for none), or null when unknown. */
    public String appliedSettings() {
        return appliedSettings;
    }

    public void appliedSettings(String settings) {
        this.appliedSettings = settings;
    }

    public boolean extendedSinceSync() {
        return extendedSinceSync;
    }

    public void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        socket.write(FrontendMessage.terminate());
        socket.close();
    }

    public Map<String, String> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public BackendKeyData backendKey() {
        return backendKey;
    }

    public char transactionStatus() {
        return transactionStatus;
    }
}
