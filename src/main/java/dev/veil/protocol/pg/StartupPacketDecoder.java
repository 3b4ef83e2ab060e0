package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;

/**
 * Decodes the first, untyped packet of a connection. As the server does, packets over 10,000 bytes
 * are refused (MAX_STARTUP_PACKET_LENGTH in postmaster.c) so a client cannot make Veil buffer without bound.
 */
public final class StartupPacketDecoder {
    public static final int MAX_STARTUP_PACKET = 10_000;

    private Buffer pending = Buffer.buffer();

    /** Returns the packet once complete, else null. {@link #leftover()} then holds bytes sent after it. */
    public StartupPacket feed(Buffer chunk) {
        pending.appendBuffer(chunk);
        if (pending.length() < 4) {
            return null;
        }
        // Judged on the length word alone, before any of the body is waited for.
        int length = pending.getInt(0);
        if (length < 8 || length > MAX_STARTUP_PACKET) {
            throw new InvalidStartupLength("invalid length of startup packet: " + length
                    + " (a startup packet has 8 to " + MAX_STARTUP_PACKET + " bytes)");
        }
        if (pending.length() < length) {
            return null;
        }
        Buffer packet = pending.slice(0, length);
        Buffer rest = pending.slice(length, pending.length());
        pending = Buffer.buffer().appendBuffer(rest);
        int code = packet.getInt(4);
        switch (code) {
            case SSLRequest.CODE:
                requireLength(length, 8, "SSLRequest");
                return new SSLRequest();
            case GSSENCRequest.CODE:
                requireLength(length, 8, "GSSENCRequest");
                return new GSSENCRequest();
            case CancelRequest.CODE:
                requireLength(length, 16, "CancelRequest");
                return new CancelRequest(packet.getInt(8), packet.getInt(12));
            default:
                if ((code >>> 16) != 3) {
                    throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION,
                            "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xffff)
                                    + ": server supports 3.0 to 3.0");
                }
                return StartupMessage.decode(code, packet, 8);
        }
    }

    /** Hands over the bytes received after the decoded packet (they are no longer held here). */
    public Buffer leftover() {
        Buffer l = pending;
        pending = Buffer.buffer();
        return l;
    }

    private static void requireLength(int actual, int expected, String what) {
        if (actual != expected) {
            throw new InvalidStartupLength("invalid length " + actual + " of " + what);
        }
    }
}
