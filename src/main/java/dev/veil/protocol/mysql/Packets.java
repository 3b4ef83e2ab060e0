package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Packet framing (dev.mysql.com "MySQL Packets"): a 3-byte little-endian payload length and a 1-byte
 * sequence id. A payload of 0xFFFFFF bytes or more is split: every full packet is followed by another, and
 * a payload that is an exact multiple of 0xFFFFFF ends with an empty packet.
 */
public final class Packets {
    public static final int MAX_PAYLOAD = 0xFFFFFF;

    /** Frames a payload as one or more packets, sequence ids counting up from {@code sequenceId}. */
    public static Buffer frame(int sequenceId, Buffer payload) {
        int len = payload.length();
        if (len < MAX_PAYLOAD) {
            Buffer out = Buffer.buffer(len + 4);
            out.appendMediumLE(len).appendByte((byte) sequenceId).appendBuffer(payload);
            return out;
        }
        Buffer out = Buffer.buffer(len + 4 * (len / MAX_PAYLOAD + 1));
        int pos = 0;
        int seq = sequenceId;
        while (true) {
            int chunk = Math.min(MAX_PAYLOAD, len - pos);
            out.appendMediumLE(chunk).appendByte((byte) seq).appendBuffer(payload, pos, chunk);
            pos += chunk;
            seq = (seq + 1) & 0xFF;
            if (chunk < MAX_PAYLOAD) {
                return out;
            }
        }
    }

    /** Number of packets {@link #frame} produces for a payload of this length. */
    public static int packetCount(int payloadLength) {
        return payloadLength / MAX_PAYLOAD + 1;
    }

    private Packets() {
    }
}
