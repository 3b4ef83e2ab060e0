package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * End of column definitions or rows for clients without CLIENT_DEPRECATE_EOF (dev.mysql.com "EOF_Packet").
 * A packet starting 0xFE is an EOF (or the OK that replaces it) only when it is short: a row whose first
 * value is a length-encoded string of 2^24 bytes or more also starts 0xFE, but is at least 9 bytes long.
 */
public record EofPacket(int warnings, int statusFlags) {
    public static final int HEADER = 0xFE;

    public Buffer encode() {
        return new PayloadWriter(5).int1(HEADER).int2(warnings).int2(statusFlags).payload();
    }
}
