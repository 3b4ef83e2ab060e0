package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Extra authentication data from the server (dev.mysql.com "Protocol::AuthMoreData"). caching_sha2_password
 * uses it for its one-byte verdicts: 0x03 fast authentication succeeded, 0x04 full authentication needed;
 * and to send its RSA public key.
 */
public record AuthMoreData(byte[] data) {
    public static final int HEADER = 0x01;
    public static final byte FAST_AUTH_SUCCESS = 0x03;
    public static final byte PERFORM_FULL_AUTHENTICATION = 0x04;

    public Buffer encode() {
        return new PayloadWriter(data.length + 1).int1(HEADER).bytes(data).payload();
    }

    public static AuthMoreData decode(Buffer payload) {
        PayloadReader r = new PayloadReader(payload);
        r.int1();
        return new AuthMoreData(r.rest());
    }
}
