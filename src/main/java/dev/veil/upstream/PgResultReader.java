package dev.veil.upstream;

import dev.veil.protocol.pg.PgFrame;

/**
 * Which {@link ResultListener} call each backend message of a leased PostgreSQL connection is. The frames
 * are already whole (PgFrameDecoder); they go on as windows of the read buffer.
 * Message formats: https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
public final class PgResultReader {
    private PgResultReader() {
    }

    public static void deliver(PgFrame frame, ResultListener listener) {
        switch (frame.typeChar()) {
            case 'T' -> listener.onColumns(frame.source(), frame.start(), frame.end());
            case 'D' -> listener.onRow(frame.source(), frame.start(), frame.end());
            // CommandComplete, EmptyQueryResponse, PortalSuspended, ErrorResponse
            case 'C', 'I', 's' -> listener.onResultEnd(frame.source(), frame.start(), frame.end(), false);
            case 'E' -> listener.onResultEnd(frame.source(), frame.start(), frame.end(), true);
            default -> listener.onPassThrough(frame.source(), frame.start(), frame.end());
        }
    }
}
