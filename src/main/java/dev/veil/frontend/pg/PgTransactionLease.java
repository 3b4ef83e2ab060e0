package dev.veil.frontend.pg;

import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.ReadyForQuery;
import dev.veil.session.SessionPinning;
import dev.veil.upstream.PgServerConnection;
import dev.veil.upstream.PinReason;
import dev.veil.upstream.UpstreamException;
import dev.veil.upstream.UpstreamPool;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How a session under transaction pooling holds server connections: one is leased when the client sends
 * something and none is held, kept while a transaction is open (ReadyForQuery 'T' or 'E') or a statement /
 * Sync cycle runs, and given back at ReadyForQuery 'I' when nothing more is owed. A statement that changes
 * session state ({@link SessionPinning}, or a reported parameter that stays changed) pins the session to its
 * connection until it ends. The client's startup settings are kept per server connection: a connection that
 * last served other settings gets RESET ALL and this session's set_config before its first statement.
 * Named prepared statements follow the session from connection to connection ({@link PgStatementNames}).
 * Confined to the session's event loop, except the {@link #canceller}.
 */
final class PgTransactionLease {
    private static final Logger LOG = Logger.getLogger(PgTransactionLease.class);

    /** What the lease needs from its client connection. */
    interface Host {
        /** The session now relays through {@code server}; false when the session has ended (the host gave it back). */
        boolean leased(PgServerConnection server);

        /** The session holds no server connection any more. */
        void released();

        /** Sends a frame on the connection held now (gathered with the frames before it). */
        void send(PgFrame frame);

        /** Sends what was gathered. */
        void flushToServer();

        void pauseClient();

        void resumeClient();

        /** No server connection could be had: the session ends with this error. */
        void leaseFailed(Throwable cause);

        long sessionId();

        PgServerConnection server();
    }

    private final Host host;
    private final UpstreamPool<PgServerConnection> pool;
    private final Context context;
    /** The client's settings: from its startup packet, and the reported ones it SET since (application_name…). */
    private final Map<String, String> settingsByName;
    /** {@link #settingsByName} as one set_config statement, "" for none. */
    private String settings;
    private final PgStatementNames names = new PgStatementNames();
    /** Frames that came while a connection was being leased, sent once it is. */
    private List<PgFrame> waiting;
    private PinReason pinned;
    private boolean releaseScheduled;
    /** Read by a CancelRequest on another connection's loop. */
    private volatile PgServerConnection cancelTarget;

    PgTransactionLease(Host host, UpstreamPool<PgServerConnection> pool, Context context, Map<String, String> settings) {
        this.host = host;
        this.pool = pool;
        this.context = context;
        this.settingsByName = new LinkedHashMap<>(settings);
        this.settings = statementOf(settingsByName);
    }

    private static String statementOf(Map<String, String> settings) {
        String set = PgStartupParameters.setStatement(settings);
        return set == null ? "" : set;
    }

    /** Readies a connection for this session: RESET ALL and the session's settings if it last served others. */
    static Future<PgServerConnection> applySettings(PgServerConnection conn, String settings) {
        String wanted = settings == null ? "" : settings;
        if (wanted.equals(conn.appliedSettings())) {
            return Future.succeededFuture(conn);
        }
        String sql = conn.appliedSettings() != null && conn.appliedSettings().isEmpty() ? wanted
                : wanted.isEmpty() ? "RESET ALL" : "RESET ALL; " + wanted;
        return conn.execute(sql).map(r -> {
            if (r.error() != null) {
                // The server rejects a setting as it would have at startup: report it as that FATAL.
                throw new UpstreamException(r.error().message(), r.error(), null);
            }
            conn.appliedSettings(wanted);
            return conn;
        });
    }

    /** The connection the session was opened on: held like any lease, given back once idle. */
    void adopt(PgServerConnection server) {
        cancelTarget = server;
        onReadyForQuery(server.transactionStatus());
    }

    /** A client frame for the server: sent on the connection held, or on one leased for it. */
    void forward(PgFrame frame) {
        pinIfNeeded(frame);
        PgServerConnection server = host.server();
        if (server != null && waiting == null) {
            send(frame, server);
            return;
        }
        if (waiting != null) {
            waiting.add(PgFrame.of(frame.bytes().copy()));
            return;
        }
        Future<PgServerConnection> leased = pool.acquire().compose(conn -> applySettings(conn, settings)
                .onFailure(e -> pool.release(conn)));
        if (leased.succeeded()) {
            // An idle connection of this event loop with this session's settings: no wait, no copy.
            if (leased(leased.result())) {
                send(frame, leased.result());
            }
            return;
        }
        waiting = new ArrayList<>();
        waiting.add(PgFrame.of(frame.bytes().copy()));
        if (leased.failed()) {
            onLeased(null, leased.cause());
            return;
        }
        host.pauseClient(); // only when the pool makes the session wait
        leased.onComplete(ar -> {
            onLeased(ar.result(), ar.cause());
            host.resumeClient();
        });
    }

    private void onLeased(PgServerConnection conn, Throwable failure) {
        List<PgFrame> frames = waiting;
        waiting = null;
        if (failure != null) {
            host.leaseFailed(failure);
            return;
        }
        if (leased(conn)) {
            frames.forEach(f -> send(f, conn));
            host.flushToServer();
        }
    }

    private boolean leased(PgServerConnection conn) {
        if (!host.leased(conn)) {
            return false;
        }
        cancelTarget = conn;
        return true;
    }

    private void send(PgFrame frame, PgServerConnection server) {
        names.forward(frame, server, host::send);
    }

    /** Called after each ReadyForQuery was relayed: an idle connection with nothing owed goes back to the pool. */
    void onReadyForQuery(char status) {
        if (status == ReadyForQuery.IDLE && pinned == null && !releaseScheduled) {
            // After the relay has flushed this read to the client, and unless the client sent more meanwhile.
            releaseScheduled = true;
            context.runOnContext(v -> {
                releaseScheduled = false;
                releaseIfIdle();
            });
        }
    }

    private void releaseIfIdle() {
        PgServerConnection server = host.server();
        if (server == null || pinned != null || waiting != null || server.transactionStatus() != ReadyForQuery.IDLE
                || !server.quiescent() || server.extendedSinceSync()) {
            return;
        }
        Map<String, String> changed = server.parametersChangedSinceLease();
        if (!changed.isEmpty() && !followSettings(changed, server)) {
            return;
        }
        cancelTarget = null;
        host.released();
        server.keepSessionStateOnReset();
        server.resume(); // in case the client's slow socket paused it: the next session must not inherit that
        pool.release(server);
    }

    /**
     * Reported parameters the session changed (ParameterStatus): those a client sets as a matter of course
     * (pgjdbc sends SET application_name after connecting) become part of its settings, applied at every lease
     * as PgBouncer does; any other pins the session. False when pinned.
     */
    private boolean followSettings(Map<String, String> changed, PgServerConnection server) {
        for (Map.Entry<String, String> e : changed.entrySet()) {
            if (!SessionPinning.followsSession(e.getKey())) {
                pin(PinReason.PARAMETER_CHANGED, "parameter " + e.getKey() + " changed");
                return false;
            }
        }
        settingsByName.putAll(changed);
        settings = statementOf(settingsByName);
        server.appliedSettings(settings); // the connection has them already
        return true;
    }

    /** The session ends holding {@code server}: its reset keeps the session state unless the session was pinned. */
    void ending(PgServerConnection server) {
        cancelTarget = null;
        if (pinned == null && server != null) {
            server.keepSessionStateOnReset();
        }
    }

    private void pinIfNeeded(PgFrame frame) {
        if (pinned != null) {
            return;
        }
        byte t = frame.type();
        String sql = t == 'Q' ? FrontendMessage.Query.decode(frame).sql()
                : t == 'P' ? FrontendMessage.Parse.decode(frame).sql() : null;
        PinReason reason = SessionPinning.of(sql);
        if (reason != null) {
            pin(reason, "statement " + reason.label());
        }
    }

    private void pin(PinReason reason, String why) {
        pinned = reason;
        pool.pinned(reason);
        LOG.infof("session %d keeps its server connection until it ends (transaction pooling): %s changes session state",
                host.sessionId(), why);
    }

    PinReason pinned() {
        return pinned;
    }

    /** What a CancelRequest quoting this session does: cancel on the server connection it is using now, if any. */
    Runnable canceller(Consumer<PgServerConnection> cancel) {
        return () -> {
            PgServerConnection target = cancelTarget;
            if (target != null) {
                cancel.accept(target);
            }
        };
    }

    /** For tests and logs: the client's named statements known. */
    int statements() {
        return names.size();
    }
}
