package dev.veil.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * What a pool needs from a raw server connection of any dialect. A connection is owned by the event loop
 * it was opened on ({@link #context()}); every method but {@link #context()} runs there.
 */
public interface ServerConnection {
    Context context();

    boolean isClosed();

    /** Time since the connection last finished a round trip; decides when a health check is due. */
    long idleNanos();

    /** One cheap round trip; true when the server answered normally. */
    Future<Boolean> healthCheck();

    /**
     * Brings the server session back to a freshly-opened state after a client's session (roll back, drop
     * session state); true when the connection is clean and may be reused.
     */
    Future<Boolean> reset();

    /** Stops reading from the server (the client side cannot take more for now). */
    void pause();

    void resume();

    /** Stops relaying to the client that held the connection. */
    void detach();

    /** Called once when the connection ends, however it ends (the pool frees the slot). */
    void onClose(Runnable hook);

    void close();
}
