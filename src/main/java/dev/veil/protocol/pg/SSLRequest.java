package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/** SSLRequest: int32 8, int32 80877103. */
public record SSLRequest() implements StartupPacket {
    public static final int CODE = 80877103;

    public Buffer encode() {
        return Buffer.buffer(8).appendInt(8).appendInt(CODE);
    }
}
