package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into physical packets without copying complete ones. Bytes of an incomplete packet
 * are kept until the rest arrives; the header is read once per packet, so a 16 MB packet arriving in
 * small chunks costs linear time. A header declaring more than the limit is refused as soon as it arrives,
 * and a partial packet's buffer grows with the bytes received (never to the declared length up front).
 */
public final class PacketDecoder {
    /** Receives each physical packet: its payload is {@code buf[offset, offset + length)}. */
    @FunctionalInterface
    public interface Handler {
        void onPacket(int sequenceId, Buffer buf, int offset, int length);
    }

    /**
     * Largest packet before login (handshake response, auth switch response, caching_sha2 full
     * authentication): an OIDC access token sent as a password can be several kB.
     */
    public static final int MAX_PAYLOAD_BEFORE_LOGIN = 16 * 1024;

    private Buffer pending;
    private int maxPayload = Packets.MAX_PAYLOAD;

    /** A decoder for a client that has not logged in yet: packets over {@link #MAX_PAYLOAD_BEFORE_LOGIN} are refused. */
    public static PacketDecoder beforeLogin() {
        PacketDecoder d = new PacketDecoder();
        d.limit(MAX_PAYLOAD_BEFORE_LOGIN);
        return d;
    }

    /** Refuses, from the next header on, a packet whose payload is longer than {@code maxPayload} bytes. */
    public void limit(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /** @throws PacketTooLargeException when a header declares more than the limit */
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
            if (len > maxPayload) {
                pending = null;
                throw new PacketTooLargeException(buf.getUnsignedByte(pos + 3), len, maxPayload);
            }
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
