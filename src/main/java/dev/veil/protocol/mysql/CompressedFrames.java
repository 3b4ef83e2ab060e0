package dev.veil.protocol.mysql;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The compressed protocol (dev.mysql.com "Compression"), one direction of it: every compressed packet is a
 * 7-byte header (3-byte compressed length, 1-byte compressed sequence id, 3-byte uncompressed length) and a
 * zlib stream of that many bytes; an uncompressed length of 0 means the payload is sent as is. What the frames
 * carry, once inflated, is the ordinary packet stream: a packet may span frames and a frame may hold several.
 *
 * <p>Inflation is bounded: a frame inflates to exactly its declared length, at most 0xFFFFFF bytes (the 3-byte
 * field), into a buffer of that size; a zlib stream producing more (a decompression bomb) or less, or that is
 * not zlib, is refused with a {@link MalformedPacketException} and decoding stops.
 */
public final class CompressedFrames {
    public static final int HEADER = 7;
    /** Payloads shorter than this are sent uncompressed, as MySQL's MIN_COMPRESS_LENGTH. */
    public static final int MIN_COMPRESS_LENGTH = 50;

    private final Deflater deflater = new Deflater();
    private final Inflater inflater = new Inflater();
    private ByteBuf pending;
    private boolean broken;
    private int lastSequenceId = -1;

    /**
     * Frames {@code data} (any bytes of the packet stream) as compressed packets with sequence ids counting up
     * from {@code sequenceId}; returns the frames, the sequence id after the last being {@code sequenceId +
     * frameCount(data)}.
     */
    public ByteBuf encode(ByteBuf data, int sequenceId) {
        int len = data.readableBytes();
        ByteBuf out = Unpooled.buffer(len + HEADER * (len / Packets.MAX_PAYLOAD + 1));
        int seq = sequenceId;
        int pos = data.readerIndex();
        int end = pos + len;
        do {
            int chunk = Math.min(Packets.MAX_PAYLOAD, end - pos);
            byte[] raw = new byte[chunk];
            data.getBytes(pos, raw);
            byte[] packed = chunk < MIN_COMPRESS_LENGTH ? null : deflate(raw);
            if (packed == null) {
                // Short, or not smaller once deflated (then MySQL too sends it as is, uncompressed length 0).
                out.writeMediumLE(chunk).writeByte(seq).writeMediumLE(0).writeBytes(raw);
            } else {
                out.writeMediumLE(packed.length).writeByte(seq).writeMediumLE(chunk).writeBytes(packed);
            }
            seq = (seq + 1) & 0xFF;
            pos += chunk;
        } while (pos < end);
        return out;
    }

    /** Number of frames {@link #encode} writes for this many bytes. */
    public static int frameCount(int length) {
        return Math.max(1, (length + Packets.MAX_PAYLOAD - 1) / Packets.MAX_PAYLOAD);
    }

    /** The deflated bytes, or null when they would not be shorter than the raw ones. */
    private byte[] deflate(byte[] raw) {
        deflater.reset();
        deflater.setInput(raw);
        deflater.finish();
        byte[] buf = new byte[raw.length];
        int n = 0;
        while (!deflater.finished()) {
            if (n == buf.length) {
                return null;
            }
            n += deflater.deflate(buf, n, buf.length - n);
        }
        if (n >= raw.length) {
            return null;
        }
        byte[] packed = new byte[n];
        System.arraycopy(buf, 0, packed, 0, n);
        return packed;
    }

    /** Receives each inflated frame: its sequence id and the packet-stream bytes it carried. */
    @FunctionalInterface
    public interface Handler {
        void onFrame(int sequenceId, ByteBuf inflated);
    }

    /**
     * Cuts {@code chunk} (released here) into frames and hands each, inflated, to {@code handler}.
     *
     * @throws MalformedPacketException when a frame does not inflate to its declared length; later input is ignored
     */
    public void decode(ByteBuf chunk, Handler handler) {
        if (broken) {
            chunk.release();
            return;
        }
        ByteBuf in = chunk;
        if (pending != null) {
            pending.writeBytes(chunk);
            chunk.release();
            in = pending;
            pending = null;
        }
        try {
            while (in.readableBytes() >= HEADER) {
                int at = in.readerIndex();
                int packedLength = in.getUnsignedMediumLE(at);
                if (in.readableBytes() < HEADER + packedLength) {
                    break;
                }
                int seq = in.getUnsignedByte(at + 3);
                lastSequenceId = seq;
                int length = in.getUnsignedMediumLE(at + 4);
                ByteBuf body = in.slice(at + HEADER, packedLength);
                in.skipBytes(HEADER + packedLength);
                handler.onFrame(seq, length == 0 ? body.retainedSlice() : inflate(body, length, seq));
            }
            if (in.isReadable()) {
                // A split frame: its buffer grows with what arrives, never to the declared length up front.
                pending = Unpooled.buffer(in.readableBytes()).writeBytes(in);
            }
        } catch (MalformedPacketException e) {
            broken = true;
            throw e;
        } finally {
            in.release();
        }
    }

    private ByteBuf inflate(ByteBuf body, int length, int seq) {
        byte[] packed = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), packed);
        byte[] out = new byte[length];
        inflater.reset();
        inflater.setInput(packed);
        int n = 0;
        try {
            while (n < length && !inflater.finished()) {
                int got = inflater.inflate(out, n, length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n == length && !inflater.finished()) {
                // Anything left would inflate past the declared length: a decompression bomb is stopped here.
                byte[] probe = new byte[1];
                if (inflater.inflate(probe) > 0) {
                    throw new MalformedPacketException("compressed packet " + seq + " inflates past its declared length of "
                            + length + " bytes");
                }
            }
        } catch (DataFormatException e) {
            throw new MalformedPacketException("compressed packet " + seq + " is not a valid zlib stream: " + e.getMessage());
        }
        if (n != length || !inflater.finished()) {
            throw new MalformedPacketException("compressed packet " + seq + " inflates to " + n + " bytes, not the "
                    + length + " its header declares");
        }
        return Unpooled.wrappedBuffer(out);
    }

    /** The sequence id of the last frame received, refused ones included; -1 before the first. */
    public int lastSequenceId() {
        return lastSequenceId;
    }

    /** Frees the zlib state and any partial frame. */
    public void close() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        deflater.end();
        inflater.end();
    }
}
