package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.testing.AllocatedBytes;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.veil.protocol.pg.GoldenBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgFrameDecoderTest {
    private static final int LIMIT = 1024;

    /** Query "SELECT 1", Sync, Terminate: 14 + 5 + 5 bytes, written out by hand. */
    private static final byte[] QUERY = GoldenBytes.parse("51 0000000d 53454c4543542031 00");
    private static final byte[] SYNC = GoldenBytes.parse("53 00000004");
    private static final byte[] TERMINATE = GoldenBytes.parse("58 00000004");

    private static Buffer concat(byte[]... frames) {
        Buffer b = Buffer.buffer();
        for (byte[] f : frames) {
            b.appendBytes(f);
        }
        return b;
    }

    private static List<String> hexes(List<Buffer> buffers) {
        return buffers.stream().map(GoldenBytes::hex).toList();
    }

    private static List<String> hexOf(List<PgFrame> frames) {
        return frames.stream().map(f -> hex(f.bytes())).toList();
    }

    private static VeilException violation(Runnable r) {
        try {
            r.run();
        } catch (VeilException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(e.fatal()).isTrue();
            return e;
        }
        throw new AssertionError("expected a VeilException");
    }

    @Test
    void reassemblesFrameSplitAtEveryBoundary() {
        Buffer stream = concat(QUERY, SYNC, TERMINATE);
        List<String> expected = List.of(hex(QUERY), hex(SYNC), hex(TERMINATE));
        for (int cut = 0; cut <= stream.length(); cut++) {
            PgFrameDecoder decoder = new PgFrameDecoder(LIMIT);
            List<PgFrame> frames = new ArrayList<>();
            decoder.feed(stream.getBuffer(0, cut), frames::add);
            decoder.feed(stream.getBuffer(cut, stream.length()), frames::add);

            assertThat(hexOf(frames)).as("split at byte %d", cut).isEqualTo(expected);
            assertThat(frames).extracting(PgFrame::type).containsExactly((byte) 'Q', (byte) 'S', (byte) 'X');
            assertThat(decoder.pendingBytes()).as("split at byte %d", cut).isZero();
        }
    }

    @Test
    void reassemblesFramesFedOneByteAtATime() {
        Buffer stream = concat(QUERY, SYNC);
        PgFrameDecoder decoder = new PgFrameDecoder(LIMIT);
        List<PgFrame> frames = new ArrayList<>();
        for (int i = 0; i < stream.length(); i++) {
            decoder.feed(stream.getBuffer(i, i + 1), frames::add);
            assertThat(frames).as("after byte %d", i).hasSize(i < QUERY.length - 1 ? 0 : i < stream.length() - 1 ? 1 : 2);
        }
        assertThat(hexOf(frames)).containsExactly(hex(QUERY), hex(SYNC));
    }

    @Test
    void deliversSeveralFramesOfOneChunkInOrder() {
        List<PgFrame> frames = new ArrayList<>();
        new PgFrameDecoder(LIMIT).feed(concat(SYNC, QUERY, TERMINATE, SYNC), frames::add);
        assertThat(hexOf(frames)).containsExactly(hex(SYNC), hex(QUERY), hex(TERMINATE), hex(SYNC));
    }

    @Test
    void exposesTheBodyAfterTheFiveByteHeader() {
        List<PgFrame> frames = new ArrayList<>();
        new PgFrameDecoder(LIMIT).feed(concat(SYNC, QUERY), frames::add);
        assertThat(frames.get(1).body().toString()).isEqualTo("SELECT 1\0");
        assertThat(frames.get(0).body().length()).isZero();
        assertThat(frames.get(1).typeChar()).isEqualTo('Q');
        assertThat(frames.get(1).length()).isEqualTo(QUERY.length);
    }

    @Test
    void framesAreWindowsOnTheChunkTheyArrivedIn() {
        Buffer chunk = concat(SYNC, QUERY, TERMINATE);
        List<PgFrame> frames = new ArrayList<>();
        new PgFrameDecoder(LIMIT).feed(chunk, frames::add);

        assertThat(frames).allSatisfy(f -> assertThat(f.source()).isSameAs(chunk));
        assertThat(frames).extracting(PgFrame::start).containsExactly(0, 5, 19);
        assertThat(frames).extracting(PgFrame::end).containsExactly(5, 19, 24);
    }

    @Test
    void keepsAPartialFrameAndCountsItsBytes() {
        PgFrameDecoder decoder = new PgFrameDecoder(LIMIT);
        List<PgFrame> frames = new ArrayList<>();
        Buffer stream = concat(SYNC, QUERY);

        decoder.feed(stream.getBuffer(0, 8), frames::add);
        assertThat(frames).hasSize(1);
        assertThat(decoder.pendingBytes()).isEqualTo(3);

        decoder.feed(stream.getBuffer(8, 12), frames::add);
        assertThat(frames).hasSize(1);
        assertThat(decoder.pendingBytes()).isEqualTo(7);

        decoder.feed(stream.getBuffer(12, stream.length()), frames::add);
        assertThat(decoder.pendingBytes()).isZero();
        assertThat(hexOf(frames)).containsExactly(hex(SYNC), hex(QUERY));
    }

    @Test
    void reportsNoPendingBytesBeforeAnythingArrives() {
        assertThat(new PgFrameDecoder(LIMIT).pendingBytes()).isZero();
    }

    @Test
    void doesNotAliasTheCallersChunkForAPartialFrame() {
        // The tail of a chunk is copied: the caller may reuse or release the chunk's memory.
        PgFrameDecoder decoder = new PgFrameDecoder(LIMIT);
        List<PgFrame> frames = new ArrayList<>();
        Buffer first = Buffer.buffer(QUERY).getBuffer(0, 9);
        decoder.feed(first, frames::add);
        first.setByte(8, (byte) '!');
        decoder.feed(Buffer.buffer(QUERY).getBuffer(9, QUERY.length), frames::add);
        assertThat(hexOf(frames)).containsExactly(hex(QUERY));
    }

    @Test
    void refusesDeclaredLengthBelowFour() {
        for (int declared : new int[]{3, 0, -1, Integer.MIN_VALUE}) {
            Buffer bad = Buffer.buffer().appendByte((byte) 'Q').appendInt(declared);
            VeilException e = violation(() -> new PgFrameDecoder(LIMIT).feed(bad, f -> { }));
            assertThat(e.getMessage()).contains(String.valueOf(declared)).contains("'Q'");
        }
    }

    @Test
    void refusesBadLengthOfAFrameFollowingAGoodOne() {
        List<PgFrame> frames = new ArrayList<>();
        Buffer chunk = concat(SYNC).appendByte((byte) 'S').appendInt(2);
        violation(() -> new PgFrameDecoder(LIMIT).feed(chunk, frames::add));
        assertThat(frames).as("the good frame before the bad one is still delivered").hasSize(1);
    }

    @Test
    void namesANonPrintableTypeByteInHex() {
        Buffer bad = Buffer.buffer().appendByte((byte) 0x01).appendInt(2);
        assertThat(violation(() -> new PgFrameDecoder(LIMIT).feed(bad, f -> { })).getMessage()).contains("\\x01");
    }

    @Test
    void refusesDeclaredLengthOverTheLimitAndNamesTheLimit() {
        Buffer header = Buffer.buffer().appendByte((byte) 'Q').appendInt(50_000);
        VeilException e = violation(() -> new PgFrameDecoder(LIMIT).feed(header, f -> { }));
        assertThat(e.getMessage()).contains("1024").contains("50000");
    }

    @Test
    void refusesAnOversizedFrameAsSoonAsItsHeaderArrives() {
        // No body bytes at all: the decoder must not wait for (and buffer) the declared amount first.
        PgFrameDecoder decoder = new PgFrameDecoder(LIMIT);
        Buffer header = Buffer.buffer().appendByte((byte) 'd').appendInt(Integer.MAX_VALUE);
        decoder.feed(header.getBuffer(0, 3), f -> { });
        violation(() -> decoder.feed(header.getBuffer(3, 5), f -> { }));
    }

    @Test
    void acceptsAFrameOfExactlyTheLimitCountingTheTypeByte() {
        // The limit counts the whole frame: type byte + declared length.
        int declared = LIMIT - 1;
        Buffer frame = Buffer.buffer().appendByte((byte) 'd').appendInt(declared).appendBytes(new byte[declared - 4]);
        List<PgFrame> frames = new ArrayList<>();
        new PgFrameDecoder(LIMIT).feed(frame, frames::add);
        assertThat(frames).singleElement().satisfies(f -> assertThat(f.length()).isEqualTo(LIMIT));

        Buffer oneMore = Buffer.buffer().appendByte((byte) 'd').appendInt(declared + 1);
        violation(() -> new PgFrameDecoder(LIMIT).feed(oneMore, f -> { }));
    }

    @Test
    void aDeclaredLengthIsNotAllocatedBeforeItsBytesArrive() {
        // Six bytes declaring 64 MiB: what the decoder holds follows the bytes received, not the claim.
        int limit = 64 * 1024 * 1024;
        PgFrameDecoder decoder = new PgFrameDecoder(limit);
        Buffer header = Buffer.buffer().appendByte((byte) 'Q').appendInt(limit - 1).appendByte((byte) 'S');
        long before = AllocatedBytes.byThisThread();
        decoder.feed(header, f -> { });
        long allocated = AllocatedBytes.byThisThread() - before;

        assertThat(decoder.pendingBytes()).isEqualTo(6);
        assertThat(decoder.heldCapacity()).isLessThanOrEqualTo(64);
        assertThat(allocated).as("bytes allocated for a six-byte header").isLessThan(64 * 1024);
    }

    @Test
    void aPartialFrameGrowsWithTheBytesReceivedAndArrivesWhole() {
        int bodyLength = 1024 * 1024;
        byte[] body = new byte[bodyLength];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i ^ (i >>> 8));
        }
        Buffer wire = Buffer.buffer().appendByte((byte) 'd').appendInt(4 + bodyLength).appendBytes(body);
        PgFrameDecoder decoder = new PgFrameDecoder(2 * 1024 * 1024);
        List<PgFrame> frames = new ArrayList<>();
        long allocated = 0;
        int chunk = 1000;
        for (int pos = 0; pos < wire.length(); pos += chunk) {
            Buffer piece = wire.getBuffer(pos, Math.min(wire.length(), pos + chunk));
            long before = AllocatedBytes.byThisThread();
            decoder.feed(piece, frames::add);
            allocated += AllocatedBytes.byThisThread() - before;
            if (frames.isEmpty()) {
                assertThat(decoder.heldCapacity()).as("after %d bytes", pos + piece.length())
                        .isLessThanOrEqualTo(Math.max(64, 2 * decoder.pendingBytes()));
            }
        }
        assertThat(frames).singleElement().satisfies(f -> assertThat(f.body().getBytes()).isEqualTo(body));
        assertThat(decoder.pendingBytes()).isZero();
        assertThat(decoder.heldCapacity()).isZero();
        // Doubling keeps the copies linear: about twice the frame, plus the final buffer.
        assertThat(allocated).as("bytes allocated while decoding").isLessThan(6L * wire.length());
    }

    @Test
    void beforeLoginAFrameOverSixteenKilobytesIsRefusedAtItsHeader() {
        PgFrameDecoder decoder = PgFrameDecoder.beforeLogin();
        Buffer header = Buffer.buffer().appendByte((byte) 'p').appendInt(64 * 1024 * 1024);
        VeilException e = violation(() -> decoder.feed(header, f -> { }));
        assertThat(e.getMessage()).contains("'p'").contains("67108864").contains("16384").contains("before login");
        assertThat(decoder.heldCapacity()).isZero();
    }

    @Test
    void beforeLoginAFrameOfExactlySixteenKilobytesIsAccepted() {
        int declared = PgFrameDecoder.MAX_FRAME_BEFORE_LOGIN - 1;
        Buffer frame = Buffer.buffer().appendByte((byte) 'p').appendInt(declared).appendBytes(new byte[declared - 4]);
        List<PgFrame> frames = new ArrayList<>();
        PgFrameDecoder.beforeLogin().feed(frame, frames::add);
        assertThat(frames).singleElement().satisfies(f -> assertThat(f.length()).isEqualTo(16 * 1024));

        Buffer oneMore = Buffer.buffer().appendByte((byte) 'p').appendInt(declared + 1);
        violation(() -> PgFrameDecoder.beforeLogin().feed(oneMore, f -> { }));
    }

    @Test
    void aLimitRaisedAtLoginAppliesToTheRestOfTheSameChunk() {
        // A client may pipeline its first statement behind the password: once the password is accepted,
        // the statement is judged by the limit after login.
        Buffer password = Buffer.buffer().appendByte((byte) 'p').appendInt(4 + 7).appendString("secret\0");
        int queryLength = 20_000;
        Buffer query = Buffer.buffer().appendByte((byte) 'Q').appendInt(queryLength).appendBytes(new byte[queryLength - 4]);
        PgFrameDecoder decoder = PgFrameDecoder.beforeLogin();
        List<Character> types = new ArrayList<>();
        decoder.feed(password.copy().appendBuffer(query), f -> {
            types.add(f.typeChar());
            if (f.type() == 'p') {
                decoder.limit(LIMIT * 1024, "(after login)");
            }
        });
        assertThat(types).containsExactly('p', 'Q');
    }

    @Nested
    class Batch {
        private final List<Buffer> out = new ArrayList<>();

        private List<PgFrame> decode(Buffer chunk) {
            List<PgFrame> frames = new ArrayList<>();
            new PgFrameDecoder(LIMIT).feed(chunk, frames::add);
            return frames;
        }

        @Test
        void joinsConsecutiveFramesOfOneBufferIntoOneSlice() {
            Buffer chunk = concat(QUERY, SYNC, TERMINATE);
            PgFrameBatch batch = new PgFrameBatch();
            decode(chunk).forEach(f -> batch.add(f, out::add));
            assertThat(out).as("nothing leaves before flush").isEmpty();

            batch.flush(out::add);
            assertThat(hexes(out)).containsExactly(hex(chunk));
        }

        @Test
        void flushesAtAGapInTheBuffer() {
            List<PgFrame> frames = decode(concat(QUERY, SYNC, TERMINATE));
            PgFrameBatch batch = new PgFrameBatch();
            batch.add(frames.get(0), out::add);
            batch.add(frames.get(2), out::add);
            batch.flush(out::add);
            assertThat(hexes(out)).containsExactly(hex(QUERY), hex(TERMINATE));
        }

        @Test
        void flushesWhenAFrameComesFromAnotherBuffer() {
            PgFrame query = decode(concat(QUERY)).get(0);
            // Starts exactly where the query ended, but in another buffer: only the buffer's identity differs.
            Buffer other = concat(new byte[QUERY.length], TERMINATE);
            PgFrame terminate = new PgFrame((byte) 'X', other, QUERY.length, QUERY.length + TERMINATE.length);

            PgFrameBatch batch = new PgFrameBatch();
            batch.add(query, out::add);
            batch.add(terminate, out::add);
            assertThat(hexes(out)).as("flushed when the buffer changed").containsExactly(hex(QUERY));

            batch.flush(out::add);
            assertThat(hexes(out)).containsExactly(hex(QUERY), hex(TERMINATE));
        }

        @Test
        void flushesNothingWhenEmptyAndNothingTwice() {
            PgFrameBatch batch = new PgFrameBatch();
            batch.flush(out::add);
            assertThat(out).isEmpty();

            batch.add(decode(concat(SYNC)).get(0), out::add);
            batch.flush(out::add);
            batch.flush(out::add);
            assertThat(out).hasSize(1);
        }

        @Test
        void startsAFreshRunAfterAFlush() {
            List<PgFrame> frames = decode(concat(QUERY, SYNC, TERMINATE));
            PgFrameBatch batch = new PgFrameBatch();
            batch.add(frames.get(0), out::add);
            batch.flush(out::add);
            batch.add(frames.get(1), out::add);
            batch.add(frames.get(2), out::add);
            batch.flush(out::add);
            assertThat(hexes(out)).containsExactly(hex(QUERY), hex(concat(SYNC, TERMINATE).getBytes()));
        }
    }
}
