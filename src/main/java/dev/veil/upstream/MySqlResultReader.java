package dev.veil.upstream;

import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.MalformedPacketException;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.ResponseTracker;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;

/**
 * The reading side of a leased MySQL connection: cuts what the server sends into whole packets, has the
 * {@link ResponseTracker} say what each one is, and hands them to a {@link ResultListener} as windows of
 * the read buffer, header included, in the order they came. Answers to Veil's own commands sent among the
 * client's (see {@link #expect}) are read and kept from the listener.
 */
public final class MySqlResultReader implements PacketDecoder.Handler {
    private final ResponseTracker tracker;
    private final ResultListener listener;
    private boolean answered;
    private boolean answeredError;
    private long answeredRows;
    /** For each answer expected, in order: whether it answers one of Veil's own commands (kept from the listener). */
    private final ArrayDeque<Boolean> silent = new ArrayDeque<>();

    public MySqlResultReader(ResponseTracker tracker, ResultListener listener) {
        this.tracker = tracker;
        this.listener = listener;
    }

    /** One network read: every packet it completes, then the end of the read. */
    public void read(PacketDecoder decoder, Buffer chunk) {
        decoder.feed(chunk, this);
        listener.onReadComplete();
    }

    @Override
    public void onPacket(int sequenceId, Buffer buf, int offset, int length) {
        int start = offset - 4;
        int end = offset + length;
        if (Boolean.TRUE.equals(silent.peekFirst())) {
            tracker.onPacket(buf, offset, length);
            return;
        }
        ResponseTracker.Part part;
        try {
            part = tracker.onPacket(buf, offset, length);
        } catch (MalformedPacketException e) {
            if (length > 0 && buf.getUnsignedByte(offset) == ErrPacket.HEADER) {
                // An error no command asked for (the server ending the session: shutdown, KILL, wait_timeout)
                // still reaches the client before the connection is given up.
                listener.onResultEnd(buf, start, end, true);
            }
            throw e;
        }
        switch (part) {
            case COLUMN -> listener.onColumns(buf, start, end);
            case ROW -> listener.onRow(buf, start, end);
            case END -> listener.onResultEnd(buf, start, end, length > 0 && buf.getUnsignedByte(offset) == ErrPacket.HEADER);
            case OTHER -> listener.onPassThrough(buf, start, end);
        }
        if (answered) {
            answered = false;
            listener.onAnswered(answeredError, answeredRows);
        }
    }

    /** One more answer is expected, after those already expected; {@code veilsOwn}: it is not the client's. */
    public void expect(boolean veilsOwn) {
        silent.addLast(veilsOwn);
    }

    /**
     * The tracker's word that an answer is complete: passed on once the packet that completed it is delivered.
     * Returns true when it was an error answering one of Veil's own commands.
     */
    public boolean answered(boolean error, long rows) {
        Boolean veilsOwn = silent.pollFirst();
        if (Boolean.TRUE.equals(veilsOwn)) {
            return error;
        }
        answered = true;
        answeredError = error;
        answeredRows = rows;
        return false;
    }
}
