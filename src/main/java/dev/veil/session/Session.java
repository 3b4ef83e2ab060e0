package dev.veil.session;

import java.util.concurrent.atomic.AtomicLong;
import dev.veil.identity.Identity;
import dev.veil.upstream.DatabaseLogin;

import java.time.Instant;
import dev.veil.error.VeilException;
import java.util.function.Consumer;

/**
 * One client session, whatever the dialect: who it is, where it goes, and how to cancel what it runs.
 * Created after authentication; lives on the client connection's event loop except for {@link #cancel()},
 * which a CancelRequest on another connection may call.
 */
public final class Session {
    private final AtomicLong cancelRequests = new AtomicLong();
    private final long id;
    private final Identity identity;
    private final String environment;
    private final String clientAddress;
    private final boolean tls;
    private final String upstream;
    private final String database;
    private final Instant startedAt;
    private final DatabaseLogin login;
    private volatile Runnable canceller;
    private volatile Runnable terminator;
    private volatile Consumer<VeilException> ender;
    private volatile String lastStatement;

    public Session(long id, Identity identity, String environment, String clientAddress, boolean tls,
                   String upstream, String database, Instant startedAt) {
        this(id, identity, environment, clientAddress, tls, upstream, database, startedAt, null);
    }

    /** @param login the database user its server connections log in as (null: not known, tests) */
    public Session(long id, Identity identity, String environment, String clientAddress, boolean tls,
                   String upstream, String database, Instant startedAt, DatabaseLogin login) {
        this.login = login;
        this.id = id;
        this.identity = identity;
        this.environment = environment;
        this.clientAddress = clientAddress;
        this.tls = tls;
        this.upstream = upstream;
        this.database = database;
        this.startedAt = startedAt;
    }

    /** Sets what a cancel does while the session holds a server connection (null when it holds none). */
    public void onCancel(Runnable canceller) {
        this.canceller = canceller;
    }

    /** Sets how another connection ends this session (MySQL KILL CONNECTION); it must hop to the session's own loop. */
    public void onTerminate(Runnable terminator) {
        this.terminator = terminator;
    }

    /** Sets how the session is ended with an error its client is told (lifetime limits); it must hop to the session's loop. */
    public void onEnd(Consumer<VeilException> ender) {
        this.ender = ender;
    }

    /** The session's connection is gone: cancel, terminate and end requests have nothing to act on any more. */
    public void clearCallbacks() {
        canceller = null;
        terminator = null;
        ender = null;
    }

    public void end(VeilException reason) {
        var e = ender;
        if (e != null) {
            e.accept(reason);
        }
    }

    public void terminate() {
        Runnable t = terminator;
        if (t != null) {
            t.run();
        }
    }

    /**
     * A cancel request for the session's running statement (PostgreSQL CancelRequest, MySQL KILL QUERY). It is
     * counted first: a statement still being decided has not reached the server, which would drop the cancel,
     * so the pipeline refuses it instead ({@link #cancelRequests()}).
     */
    public void cancel() {
        cancelRequests.incrementAndGet();
        Runnable c = canceller;
        if (c != null) {
            c.run();
        }
    }

    /** How many cancel requests the session has had so far. */
    public long cancelRequests() {
        return cancelRequests.get();
    }

    public long id() {
        return id;
    }

    public Identity identity() {
        return identity;
    }

    public String environment() {
        return environment;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public boolean tls() {
        return tls;
    }

    public String upstream() {
        return upstream;
    }

    public String database() {
        return database;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The text of the statement decided last, as its audit record holds it (literals redacted unless configured otherwise). */
    public void noteStatement(String recordedText) {
        this.lastStatement = recordedText;
    }

    /** What {@link #noteStatement} last noted; null before the session's first statement. For the console's list. */
    public String lastStatement() {
        return lastStatement;
    }

    /** The database user its server connections log in as, decided once when it started (null in some tests). */
    public DatabaseLogin login() {
        return login;
    }
}
