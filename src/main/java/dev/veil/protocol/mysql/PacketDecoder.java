package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into physical packets without copying complete ones: a packet that arrived whole is
 * delivered as a window on the chunk it came in. Only a packet split across chunks is gathered, from just
 * the bytes it needs; the header is read once per chunk, so a 16 MB packet arriving in small chunks costs
 * linear time. A header declaring more than the limit is refused as soon as it arrives, and a split packet's
 * buffer grows with the bytes received (never to the declared length up front).
 *
 * <p>A packet of 0xFFFFFF payload bytes continues in the next packet, whose sequence id must be the next one
 * (dev.mysql.com "Sending More Than 16Mb"); any other id is refused ({@link PacketOutOfOrderException}) rather
 * than joined, as the servers refuse it.
 */
public final class PacketDecoder {
    /** Receives each physical packet: its payload is {@code buf[offset, offset + length)}, its header the 4 bytes before. */
    @FunctionalInterface
    public interface Handler {
        void onPacket(int sequenceId, Buffer buf, int offset, int length);
    }

    /**
     * Largest packet before login (handshake response, auth switch response, caching_sha2 full
     * authentication): an OIDC access token sent as a password can be several kB.
     */
    public static final int MAX_PAYLOAD_BEFORE_LOGIN = 16 * 1024;

    /** The most a split packet's gathering buffer starts with; it grows with what arrives. */
    private static final int FIRST_GATHER = 8 * 1024;

    private Buffer pending;
    private int maxPayload = Packets.MAX_PAYLOAD;
    /** The last packet delivered was full size: the next one continues it and must carry {@link #nextSequence}. */
    private boolean continuing;
    private int nextSequence;

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

    /**
     * @throws PacketTooLargeException when a header declares more than the limit
     * @throws PacketOutOfOrderException when a packet continuing a full-size one has the wrong sequence id
     */
    public void feed(Buffer chunk, Handler handler) {
        int pos = pending == null ? 0 : completePending(chunk, handler);
        if (pos < 0) {
            return;
        }
        int total = chunk.length();
        while (total - pos >= 4) {
            int len = checked(chunk, pos);
            if (total - pos - 4 < len) {
                break;
            }
            deliver(handler, chunk.getUnsignedByte(pos + 3), chunk, pos + 4, len);
            pos += 4 + len;
        }
        if (pos < total) {
            int have = total - pos;
            int wanted = have >= 4 ? 4 + chunk.getUnsignedMediumLE(pos) : 4;
            pending = Buffer.buffer(Math.max(have, Math.min(FIRST_GATHER, wanted))).appendBuffer(chunk, pos, have);
        }
    }

    /** The payload length the header at {@code pos} declares, refused when over the limit. */
    private int checked(Buffer buf, int pos) {
        int len = buf.getUnsignedMediumLE(pos);
        if (len > maxPayload) {
            pending = null;
            throw new PacketTooLargeException(buf.getUnsignedByte(pos + 3), len, maxPayload);
        }
        return len;
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
        int len = checked(pending, 0);
        int missing = 4 + len - pending.length();
        if (chunk.length() - used < missing) {
            pending.appendBuffer(chunk, used, chunk.length() - used);
            return -1;
        }
        Buffer whole = pending.appendBuffer(chunk, used, missing);
        pending = null;
        deliver(handler, whole.getUnsignedByte(3), whole, 4, len);
        return used + missing;
    }

    /** @throws PacketOutOfOrderException when the packet continues a full-size one with the wrong sequence id */
    private void deliver(Handler handler, int seq, Buffer buf, int offset, int length) {
        if (continuing && seq != nextSequence) {
            pending = null;
            throw new PacketOutOfOrderException(seq, nextSequence);
        }
        continuing = length == Packets.MAX_PAYLOAD;
        nextSequence = (seq + 1) & 0xFF;
        handler.onPacket(seq, buf, offset, length);
    }

    /** Bytes received that do not yet form a whole packet. */
    public int pendingBytes() {
        return pending == null ? 0 : pending.length();
    }
}
