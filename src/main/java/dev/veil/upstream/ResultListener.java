package dev.veil.upstream;

import io.vertx.core.buffer.Buffer;

/**
 * Receives what a leased server connection of either dialect sends, on the connection's event loop, as
 * whole messages: each call names one message (a PostgreSQL frame, a MySQL packet with its 4-byte header)
 * as the window {@code buf[start, end)} of the buffer it arrived in, never a copy. Messages come in the
 * order the server sent them; a message split across reads is delivered once whole.
 */
public interface ResultListener {
    /** Column descriptions: a PostgreSQL RowDescription (all columns), or one MySQL column definition of a result set. */
    void onColumns(Buffer buf, int start, int end);

    /** One row: a PostgreSQL DataRow, or a MySQL text or binary resultset row (or a continuation packet of one). */
    void onRow(Buffer buf, int start, int end);

    /**
     * What ends a result or reports an error: PostgreSQL CommandComplete, EmptyQueryResponse, PortalSuspended,
     * ErrorResponse; MySQL the OK answering a statement, the terminator after rows, any ERR ({@code error}).
     */
    void onResultEnd(Buffer buf, int start, int end, boolean error);

    /** Any other message, to relay as it is (ReadyForQuery, ParseComplete, notices, column counts, prepare answers…). */
    void onPassThrough(Buffer buf, int start, int end);

    /**
     * The server has answered one client command completely; its last message was delivered just before.
     * Told by MySQL connections only: a PostgreSQL answer ends with ReadyForQuery, a message like the others.
     */
    default void onAnswered(boolean error, long rows) {
    }

    /** The end of one network read: a good moment to flush what was gathered. */
    void onReadComplete();

    /** The server connection broke (closed, reset, TLS failure, broken protocol). It is already discarded. */
    void onServerLost(Throwable cause);
}
