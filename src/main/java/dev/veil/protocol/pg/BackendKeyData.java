package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/** BackendKeyData 'K': the process id and secret a client later quotes in a CancelRequest. */
public record BackendKeyData(int processId, int secretKey) implements BackendMessage {
    public static final char TYPE = 'K';

    public Buffer encode() {
        return BackendMessage.finish(BackendMessage.begin(TYPE, 8).appendInt(processId).appendInt(secretKey));
    }

    public static BackendKeyData decode(PgFrame frame) {
        Buffer body = frame.body();
        if (body.length() < 8) {
            throw CStrings.malformed("BackendKeyData too short");
        }
        // Protocol 3.2 allows longer secrets; Veil negotiates 3.0 upstream, so 4 bytes are expected.
        return new BackendKeyData(body.getInt(0), body.getInt(4));
    }
}
