package dev.veil.upstream;

import io.vertx.core.buffer.Buffer;

/** Receives what a leased MySQL server connection sends, on the connection's event loop. */
public interface MySqlServerListener {
    /** Bytes exactly as the server sent them (whole packets or parts of them). */
    void onServerData(Buffer bytes);

    /** The answer to one command is complete. */
    void onResponseComplete(int command, boolean error, int statusFlags, long rows);

    /** The server connection broke. It is already discarded. */
    void onServerLost(Throwable cause);
}
