package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/** CancelRequest: int32 16, int32 80877102, int32 process id, int32 secret key. */
public record CancelRequest(int processId, int secretKey) implements StartupPacket {
    public static final int CODE = 80877102;

    public Buffer encode() {
        return Buffer.buffer(16).appendInt(16).appendInt(CODE).appendInt(processId).appendInt(secretKey);
    }
}
