package dev.veil.frontend.pg.message;

import dev.veil.session.error.ErrorCode;
import dev.veil.session.error.VeilException;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Splits a TCP byte stream into typed frames. Partial frames are kept until complete; a frame whose
 * declared length is below 4 or above the limit is a protocol violation (the caller ends that connection).
 */
public final class PgFrameDecoder {
    private final int maxFrameBytes;
    /** The property that sets the limit, named in the error (null: the limit is not configurable). */
    private final String limitSetting;
    private Buffer pending;
    /** Bytes the pending frame needs before decoding can go on (the whole frame, or its header). */
    private int awaited;

    public PgFrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, null);
    }

    public PgFrameDecoder(int maxFrameBytes, String limitSetting) {
        this.maxFrameBytes = maxFrameBytes;
        this.limitSetting = limitSetting;
    }

    /** Feeds one chunk; calls {@code sink} for every complete frame, in order. */
    public void feed(Buffer chunk, Consumer<PgFrame> sink) {
        Buffer buf;
        if (pending == null) {
            buf = chunk;
        } else {
            pending.appendBuffer(chunk);
            if (pending.length() < awaited) {
                return; // still inside one large frame: keep appending, no re-scan, no copy
            }
            buf = pending;
            pending = null;
        }
        int pos = 0;
        int len = buf.length();
        while (len - pos >= PgFrame.HEADER) {
            int declared = buf.getInt(pos + 1);
            if (declared < 4) {
                throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION,
                        "invalid message length " + declared + " for message type '" + printable(buf.getByte(pos)) + "'");
            }
            if (declared > maxFrameBytes - 1) {
                throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION,
                        "message of type '" + printable(buf.getByte(pos)) + "' declares length " + declared + " ("
                                + (declared + 1L) + " bytes with its type byte), over the limit of " + maxFrameBytes + " bytes"
                                + (limitSetting == null ? "" : " (" + limitSetting + "; raise it to accept larger messages)"));
            }
            int end = pos + 1 + declared;
            if (end > len) {
                break;
            }
            sink.accept(new PgFrame(buf.getByte(pos), buf, pos, end));
            pos = end;
        }
        awaited = 0;
        if (pos < len) {
            // Copy the tail once, sized for the whole frame when its header is known: the chunk's backing
            // buffer is not ours to grow, and re-copying a large frame on every chunk would be quadratic.
            int remaining = len - pos;
            awaited = remaining >= PgFrame.HEADER ? 1 + buf.getInt(pos + 1) : PgFrame.HEADER;
            pending = Buffer.buffer(Math.max(64, awaited)).appendBuffer(buf, pos, remaining);
        }
    }

    /** Bytes held that do not yet form a complete frame. */
    public int pendingBytes() {
        return pending == null ? 0 : pending.length();
    }

    static String printable(byte b) {
        return b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
