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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One raw connection to a PostgreSQL server, owned by the event loop it was opened on. It is either
 * starting up, idle in its pool, running one of Veil's own simple queries (reset, health check, session
 * settings), or leased to a client session and relaying whole frames to a {@link ResultListener}.
 */
public final class PgServerConnection extends ServerLink<PgServerConnection, PgServerConnection.InternalResult> {
    private static final Logger LOG = Logger.getLogger(PgServerConnection.class);

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

    /** Outcome of one of Veil's own simple queries. */
    public record InternalResult(ErrorResponse error, char transactionStatus) {
    }

    private PgServerConnection(NetSocket socket, Context context, UpstreamSettings upstream, String database) {
        super(socket, context, upstream, database);
    }

    /** Negotiates TLS as configured, authenticates, and completes once the server is ready for queries. */
    static Future<PgServerConnection> start(NetSocket socket, Context context, UpstreamSettings upstream, String database) {
        PgServerConnection c = new PgServerConnection(socket, context, upstream, database);
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
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", upstream.user());
        params.put("database", database);
        auth = new PgServerAuthFlow(upstream.user(), upstream.password());
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
                parameters.put(ps.name(), ps.value());
            }
            case ReadyForQuery.TYPE -> {
                transactionStatus = ReadyForQuery.statusOf(frame);
                if (readyPending > 0) {
                    readyPending--;
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
        extendedSinceSync = false;
        socket.write(Buffer.buffer(5).appendByte((byte) 'S').appendInt(4));
        return done;
    }

    /** Forwards client bytes. {@code frame} tells which message it is so the connection knows when it is clean. */
    public void noteSent(PgFrame frame) {
        switch (frame.typeChar()) {
            case 'Q', 'F' -> readyPending++;
            case 'S' -> {
                readyPending++;
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
        if (!quiescent()) {
            LOG.debugf("upstream %s: released mid-statement", upstream.name());
            return Future.succeededFuture(false);
        }
        Future<InternalResult> ready = extendedSinceSync ? sync() : Future.succeededFuture(new InternalResult(null, transactionStatus));
        return ready.compose(v -> transactionStatus == ReadyForQuery.IDLE ? Future.succeededFuture(v) : execute("ROLLBACK"))
                .compose(v -> execute("DISCARD ALL"))
                .map(r -> {
                    if (r.error() != null) {
                        LOG.warnf("upstream %s: reset failed: %s", upstream.name(), r.error().message());
                    }
                    return r.error() == null && transactionStatus == ReadyForQuery.IDLE;
                });
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
