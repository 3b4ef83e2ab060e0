package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * The first 32 bytes of a handshake response with CLIENT_SSL set, sent in clear before the TLS handshake
 * (dev.mysql.com "Protocol::SSLRequest"); the full response follows inside TLS with the next sequence id.
 * Like the full response, it carries MariaDB's extended capabilities in its last 4 bytes when CLIENT_MYSQL is clear.
 */
public record SSLRequest(int capabilities, long maxPacketSize, int characterSet, int mariaDbCapabilities) {
    public static final int LENGTH = 32;

    public SSLRequest(int capabilities, long maxPacketSize, int characterSet) {
        this(capabilities, maxPacketSize, characterSet, 0);
    }

    public static boolean matches(Buffer payload) {
        return payload.length() == LENGTH && (payload.getIntLE(0) & Capabilities.SSL) != 0;
    }

    public static SSLRequest decode(Buffer payload) {
        PayloadReader r = new PayloadReader(payload);
        int caps = (int) r.int4();
        long maxPacket = r.int4();
        int charset = r.int1();
        r.skip(19);
        int reserved = (int) r.int4();
        return new SSLRequest(caps, maxPacket, charset, Capabilities.has(caps, Capabilities.LONG_PASSWORD) ? 0 : reserved);
    }

    public Buffer encode() {
        return new PayloadWriter(LENGTH).int4(capabilities & 0xFFFFFFFFL).int4(maxPacketSize).int1(characterSet).zeros(19)
                .int4(Capabilities.has(capabilities, Capabilities.LONG_PASSWORD) ? 0 : mariaDbCapabilities & 0xFFFFFFFFL).payload();
    }
}
