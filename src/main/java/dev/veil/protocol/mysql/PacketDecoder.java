package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into physical packets without copying complete ones. Bytes of an incomplete packet
 * are kept until the rest arrives; the header is read once per packet, so a 16 MB packet arriving in
 * small chunks costs linear time.
 */
public final class PacketDecoder {
    /** Receives each physical packet: its payload is {@code buf[offset, offset + length)}. */
    @FunctionalInterface
    public interface Handler {
        void onPacket(int sequenceId, Buffer buf, int offset, int length);
    }

    private Buffer pending;

    public void feed(Buffer chunk, Handler handler) {
        Buffer buf;
        if (pending == null) {
            buf = chunk;
        } else {
            pending.appendBuffer(chunk);
            buf = pending;
        }
        int pos = 0;
        int total = buf.length();
        while (total - pos >= 4) {
            int len = buf.getUnsignedMediumLE(pos);
            if (total - pos - 4 < len) {
                break;
            }
            int seq = buf.getUnsignedByte(pos + 3);
            handler.onPacket(seq, buf, pos + 4, len);
            pos += 4 + len;
        }
        if (pos == total) {
            pending = null;
        } else if (buf == pending) {
            if (pos > 0) {
                pending = buf.getBuffer(pos, total);
            }
        } else {
            pending = buf.getBuffer(pos, total);
        }
    }

    /** Bytes received that do not yet form a whole packet. */
    public int pendingBytes() {
        return pending == null ? 0 : pending.length();
    }
}
