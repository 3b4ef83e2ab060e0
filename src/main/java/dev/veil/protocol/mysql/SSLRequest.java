package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * The first 32 bytes of a handshake response with CLIENT_SSL set, sent in clear before the TLS handshake
 * (dev.mysql.com "Protocol::SSLRequest"); the full response follows inside TLS with the next sequence id.
 */
public record SSLRequest(int capabilities, long maxPacketSize, int characterSet) {
    public static final int LENGTH = 32;

    public static boolean matches(Buffer payload) {
        return payload.length() == LENGTH && (payload.getIntLE(0) & Capabilities.SSL) != 0;
    }

    public static SSLRequest decode(Buffer payload) {
        PayloadReader r = new PayloadReader(payload);
        return new SSLRequest((int) r.int4(), r.int4(), r.int1());
    }

    public Buffer encode() {
        return new PayloadWriter(LENGTH).int4(capabilities & 0xFFFFFFFFL).int4(maxPacketSize).int1(characterSet).zeros(23).payload();
    }
}
