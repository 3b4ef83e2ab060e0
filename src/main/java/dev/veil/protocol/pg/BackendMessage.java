package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/**
 * Backend messages Veil itself produces or must understand (during startup of its own upstream connections).
 * Everything else from the server is relayed as raw {@link PgFrame}s.
 */
public sealed interface BackendMessage
        permits Authentication, ParameterStatus, BackendKeyData, ReadyForQuery, ErrorResponse,
        NegotiateProtocolVersion, NoticeResponse {

    Buffer encode();

    /** Starts a typed frame: type byte and a length placeholder fixed by {@link #finish}. */
    static Buffer begin(char type, int sizeHint) {
        return Buffer.buffer(sizeHint + 5).appendByte((byte) type).appendInt(0);
    }

    static Buffer finish(Buffer frame) {
        frame.setInt(1, frame.length() - 1);
        return frame;
    }
}
