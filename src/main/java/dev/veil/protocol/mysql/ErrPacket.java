package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Failure (dev.mysql.com "ERR_Packet"): error number, '#' and a five-character SQLSTATE, message. */
public record ErrPacket(int errorCode, String sqlState, String message) {
    public static final int HEADER = 0xFF;

    public Buffer encode() {
        return new PayloadWriter(16 + message.length()).int1(HEADER).int2(errorCode)
                .string("#").string(sqlState).string(message).payload();
    }

    public static ErrPacket decode(Buffer payload, boolean protocol41) {
        PayloadReader r = new PayloadReader(payload);
        r.int1();
        int code = r.int2();
        String state = "HY000";
        if (protocol41 && r.remaining() >= 6 && r.peek() == '#') {
            r.int1();
            state = new String(r.bytes(5), StandardCharsets.US_ASCII);
        }
        return new ErrPacket(code, state, r.restString());
    }
}
