package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Writes the protocol's basic types into a payload (the 4-byte packet header is added by {@link Packets}). */
public final class PayloadWriter {
    private final Buffer buf;

    public PayloadWriter() {
        this(64);
    }

    public PayloadWriter(int initialSize) {
        this.buf = Buffer.buffer(initialSize);
    }

    public PayloadWriter int1(int v) {
        buf.appendByte((byte) v);
        return this;
    }

    public PayloadWriter int2(int v) {
        buf.appendUnsignedShortLE(v);
        return this;
    }

    public PayloadWriter int3(int v) {
        buf.appendMediumLE(v);
        return this;
    }

    public PayloadWriter int4(long v) {
        buf.appendUnsignedIntLE(v);
        return this;
    }

    public PayloadWriter int8(long v) {
        buf.appendLongLE(v);
        return this;
    }

    public PayloadWriter lenenc(long v) {
        if (v < 0xFB && v >= 0) {
            return int1((int) v);
        }
        if (v >= 0 && v < 1 << 16) {
            return int1(0xFC).int2((int) v);
        }
        if (v >= 0 && v < 1 << 24) {
            return int1(0xFD).int3((int) v);
        }
        return int1(0xFE).int8(v);
    }

    public PayloadWriter bytes(byte[] b) {
        buf.appendBytes(b);
        return this;
    }

    public PayloadWriter bytes(Buffer b) {
        buf.appendBuffer(b);
        return this;
    }

    public PayloadWriter zeros(int n) {
        for (int i = 0; i < n; i++) {
            buf.appendByte((byte) 0);
        }
        return this;
    }

    public PayloadWriter lenencBytes(byte[] b) {
        return lenenc(b.length).bytes(b);
    }

    public PayloadWriter lenencString(String s) {
        return lenencBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public PayloadWriter nulString(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8)).int1(0);
    }

    public PayloadWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public Buffer payload() {
        return buf;
    }
}
