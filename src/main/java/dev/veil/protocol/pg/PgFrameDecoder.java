package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Splits a TCP byte stream into typed frames. Partial frames are kept until complete; a frame whose
 * declared length is below 4 or above the limit is a protocol violation (the caller ends that connection).
 * The limit is checked as soon as a header arrives, and a partial frame's buffer grows with the bytes that
 * really arrived, never to the declared length up front: a six-byte header must not pin the limit in memory.
 */
public final class PgFrameDecoder {
    /**
     * Largest frame before authentication completes (PasswordMessage, SASL messages, anything pipelined
     * behind them). An OIDC access token sent as a password can be several kB; the server itself allows
     * auth tokens up to 64 kB (PG_MAX_AUTH_TOKEN_LENGTH), but nothing Veil accepts needs more than this.
     */
    public static final int MAX_FRAME_BEFORE_LOGIN = 16 * 1024;
    private static final String BEFORE_LOGIN = "for a message before login (a password or token must fit in it;"
            + " statements are read only after authentication completes)";

    private int maxFrameBytes;
    private String limitName;
    private Buffer pending;
    /** Bytes {@link #pending} can hold before it has to grow. */
    private int capacity;
    /** Bytes the pending frame needs before decoding can go on (the whole frame, or its header). */
    private int awaited;

    public PgFrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, "");
    }

    private PgFrameDecoder(int maxFrameBytes, String limitName) {
        this.maxFrameBytes = maxFrameBytes;
        this.limitName = limitName;
    }

    /** A decoder for a client that has not logged in yet: frames over {@link #MAX_FRAME_BEFORE_LOGIN} are refused. */
    public static PgFrameDecoder beforeLogin() {
        return new PgFrameDecoder(MAX_FRAME_BEFORE_LOGIN, BEFORE_LOGIN);
    }

    /**
     * Changes the limit for every header read from now on, including the rest of the chunk being decoded
     * ({@code limitName} says where it comes from, for the error message).
     */
    public void limit(int maxFrameBytes, String limitName) {
        this.maxFrameBytes = maxFrameBytes;
        this.limitName = limitName;
    }

    /** Feeds one chunk; calls {@code sink} for every complete frame, in order. */
    public void feed(Buffer chunk, Consumer<PgFrame> sink) {
        Buffer buf;
        if (pending == null) {
            buf = chunk;
        } else {
            append(chunk);
            if (pending.length() < awaited) {
                return; // still inside one large frame: keep appending, no re-scan
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
                throw VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, ("message of type '" + printable(buf.getByte(pos))
                        + "' declares length " + declared + " (" + (declared + 1L) + " bytes with its type byte), over the limit of "
                        + maxFrameBytes + " bytes " + limitName).stripTrailing());
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
            // The tail is copied: the chunk's backing buffer is not ours to grow.
            int remaining = len - pos;
            awaited = remaining >= PgFrame.HEADER ? 1 + buf.getInt(pos + 1) : PgFrame.HEADER;
            capacity = Math.max(64, remaining);
            pending = Buffer.buffer(capacity).appendBuffer(buf, pos, remaining);
        }
    }

    /**
     * Grows by doubling, but not past the awaited frame unless the chunk itself goes further: memory stays
     * within twice the bytes received, and the copies add up to linear time however small the chunks.
     */
    private void append(Buffer chunk) {
        int needed = pending.length() + chunk.length();
        if (needed > capacity) {
            int grown = (int) Math.max(needed, Math.min(2L * capacity, awaited));
            pending = Buffer.buffer(grown).appendBuffer(pending);
            capacity = grown;
        }
        pending.appendBuffer(chunk);
    }

    /** Bytes held that do not yet form a complete frame. */
    public int pendingBytes() {
        return pending == null ? 0 : pending.length();
    }

    /** Bytes allocated for the partial frame: what a client that stops mid-frame costs. */
    public int heldCapacity() {
        return pending == null ? 0 : capacity;
    }

    static String printable(byte b) {
        return b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
