package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into physical packets without copying complete ones: a packet that arrived whole is
 * delivered as a window on the chunk it came in. Only a packet split across chunks is gathered, from just
 * the bytes it needs; the header is read once per chunk, so a 16 MB packet arriving in small chunks costs
 * linear time.
 */
public final class PacketDecoder {
    /** Receives each physical packet: its payload is {@code buf[offset, offset + length)}, its header the 4 bytes before. */
    @FunctionalInterface
    public interface Handler {
        void onPacket(int sequenceId, Buffer buf, int offset, int length);
    }

    /** The most a split packet's gathering buffer starts with; it grows with what arrives. */
    private static final int FIRST_GATHER = 64 * 1024;

    private Buffer pending;

    public void feed(Buffer chunk, Handler handler) {
        int pos = pending == null ? 0 : completePending(chunk, handler);
        if (pos < 0) {
            return;
        }
        int total = chunk.length();
        while (total - pos >= 4) {
            int len = chunk.getUnsignedMediumLE(pos);
            if (total - pos - 4 < len) {
                break;
            }
            handler.onPacket(chunk.getUnsignedByte(pos + 3), chunk, pos + 4, len);
            pos += 4 + len;
        }
        if (pos < total) {
            int have = total - pos;
            int wanted = have >= 4 ? 4 + chunk.getUnsignedMediumLE(pos) : 4;
            pending = Buffer.buffer(Math.max(have, Math.min(FIRST_GATHER, wanted))).appendBuffer(chunk, pos, have);
        }
    }

    /**
     * Adds to the split packet only the bytes of {@code chunk} it still needs, and delivers it once whole;
     * returns where the rest of the chunk starts, or -1 when the chunk did not complete it. A peer cannot make
     * Veil reserve memory by declaring a large packet: the gathering buffer grows with what arrives.
     */
    private int completePending(Buffer chunk, Handler handler) {
        int used = 0;
        if (pending.length() < 4) {
            used = Math.min(4 - pending.length(), chunk.length());
            pending.appendBuffer(chunk, 0, used);
            if (pending.length() < 4) {
                return -1;
            }
        }
        int len = pending.getUnsignedMediumLE(0);
        int missing = 4 + len - pending.length();
        if (chunk.length() - used < missing) {
            pending.appendBuffer(chunk, used, chunk.length() - used);
            return -1;
        }
        Buffer whole = pending.appendBuffer(chunk, used, missing);
        pending = null;
        handler.onPacket(whole.getUnsignedByte(3), whole, 4, len);
        return used + missing;
    }

    /** Bytes received that do not yet form a whole packet. */
    public int pendingBytes() {
        return pending == null ? 0 : pending.length();
    }
}
