package dev.veil.upstream;

import dev.veil.protocol.pg.PgFrame;

/** Receives what a leased server connection sends, on the connection's event loop. */
public interface ServerListener {
    /** One complete backend frame, exactly as the server sent it. */
    void onFrame(PgFrame frame);

    /** The end of one network read: a good moment to flush what was gathered. */
    void onReadComplete();

    /** The server connection broke (closed, reset, TLS failure). It is already discarded. */
    void onServerLost(Throwable cause);
}
