package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * NegotiateProtocolVersion 'v': sent when a client asks for a newer minor version or for protocol options
 * ({@code _pq_.*}) Veil does not support; the client then continues with 3.0.
 */
public record NegotiateProtocolVersion(int newestVersion, List<String> unrecognizedOptions) implements BackendMessage {
    /** The field carries the whole version (3.0 = 0x00030000), as the server sends it, not just the minor. */
    public Buffer encode() {
        Buffer b = BackendMessage.begin('v', 16).appendInt(newestVersion).appendInt(unrecognizedOptions.size());
        unrecognizedOptions.forEach(o -> CStrings.append(b, o));
        return BackendMessage.finish(b);
    }
}
