package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Reads the protocol's basic types (dev.mysql.com "Basic Data Types": fixed-length little-endian integers,
 * length-encoded integers and strings, NUL-terminated strings) from one packet payload. Reading past the
 * end throws {@link MalformedPacketException}, so a truncated packet can never be half-understood.
 */
public final class PayloadReader {
    private final Buffer buf;
    private final int end;
    private int pos;

    public PayloadReader(Buffer payload) {
        this(payload, 0, payload.length());
    }

    public PayloadReader(Buffer buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) {
            throw new MalformedPacketException("packet ends early: " + n + " more bytes expected, " + (end - pos) + " left");
        }
    }

    public int int1() {
        need(1);
        return buf.getUnsignedByte(pos++);
    }

    public int peek() {
        need(1);
        return buf.getUnsignedByte(pos);
    }

    public int int2() {
        need(2);
        int v = buf.getUnsignedShortLE(pos);
        pos += 2;
        return v;
    }

    public int int3() {
        need(3);
        int v = buf.getUnsignedMediumLE(pos);
        pos += 3;
        return v;
    }

    public long int4() {
        need(4);
        long v = buf.getUnsignedIntLE(pos);
        pos += 4;
        return v;
    }

    public long int8() {
        need(8);
        long v = buf.getLongLE(pos);
        pos += 8;
        return v;
    }

    /** Length-encoded integer; 0xFB (NULL in rows) and 0xFF (error header) are not integers here. */
    public long lenenc() {
        int first = int1();
        if (first < 0xFB) {
            return first;
        }
        return switch (first) {
            case 0xFC -> int2();
            case 0xFD -> int3();
            case 0xFE -> int8();
            default -> throw new MalformedPacketException(String.format("0x%02x does not start a length-encoded integer", first));
        };
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] out = buf.getBytes(pos, pos + n);
        pos += n;
        return out;
    }

    public void skip(int n) {
        need(n);
        pos += n;
    }

    public byte[] rest() {
        return bytes(end - pos);
    }

    public byte[] lenencBytes() {
        return bytes(lenencLength());
    }

    /** A length-encoded string as a slice of the packet (not a copy). */
    public Buffer lenencSlice() {
        return slice(lenencLength());
    }

    /** The next {@code n} bytes as a slice of the packet (not a copy). */
    public Buffer slice(int n) {
        need(n);
        Buffer out = buf.slice(pos, pos + n);
        pos += n;
        return out;
    }

    private int lenencLength() {
        long n = lenenc();
        if (n > remaining()) {
            throw new MalformedPacketException("length-encoded string of " + n + " bytes exceeds the packet");
        }
        return (int) n;
    }

    public String lenencString() {
        return new String(lenencBytes(), StandardCharsets.UTF_8);
    }

    /** NUL-terminated string; a missing terminator is malformed. */
    public byte[] nulBytes() {
        for (int i = pos; i < end; i++) {
            if (buf.getByte(i) == 0) {
                byte[] out = buf.getBytes(pos, i);
                pos = i + 1;
                return out;
            }
        }
        throw new MalformedPacketException("string is not NUL-terminated");
    }

    public String nulString() {
        return new String(nulBytes(), StandardCharsets.UTF_8);
    }

    /** NUL-terminated if a NUL comes, else to the end of the packet (some clients omit the last NUL). */
    public String nulOrEofString() {
        for (int i = pos; i < end; i++) {
            if (buf.getByte(i) == 0) {
                return nulString();
            }
        }
        return new String(rest(), StandardCharsets.UTF_8);
    }

    public String restString() {
        return new String(rest(), StandardCharsets.UTF_8);
    }
}
