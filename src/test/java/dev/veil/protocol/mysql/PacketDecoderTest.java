package dev.veil.protocol.mysql;

import com.sun.management.ThreadMXBean;
import dev.veil.testing.GoldenHex;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.veil.testing.GoldenHex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Cutting a byte stream into physical packets, however the stream is chunked. */
class PacketDecoderTest {
    private record Packet(int seq, String payloadHex) {
    }

    private static List<Packet> collect(PacketDecoder decoder, Buffer... chunks) {
        List<Packet> out = new ArrayList<>();
        for (Buffer c : chunks) {
            decoder.feed(c, (seq, buf, off, len) -> out.add(new Packet(seq, hex(buf.getBytes(off, off + len)))));
        }
        return out;
    }

    /** COM_QUERY "SELECT 1", an empty packet, COM_PING, and an OK payload, with assorted sequence ids. */
    private static Buffer stream() {
        return Buffer.buffer()
                .appendBuffer(Packets.frame(0, Buffer.buffer().appendByte((byte) Command.COM_QUERY).appendString("SELECT 1")))
                .appendBuffer(Packets.frame(1, Buffer.buffer()))
                .appendBuffer(Packets.frame(0, Buffer.buffer(new byte[]{Command.COM_PING})))
                .appendBuffer(Packets.frame(7, new OkPacket(1, 2, ServerStatus.AUTOCOMMIT, 0, "").encode(false)));
    }

    private static final List<Packet> EXPECTED = List.of(
            new Packet(0, "03 53 45 4c 45 43 54 20 31"),
            new Packet(1, ""),
            new Packet(0, "0e"),
            new Packet(7, "00 01 02 02 00 00 00"));

    @Test
    void deliversEveryPacketOfOneChunk() {
        PacketDecoder d = new PacketDecoder();
        assertThat(collect(d, stream())).isEqualTo(EXPECTED);
        assertThat(d.pendingBytes()).isZero();
    }

    @Test
    void deliversTheSamePacketsWhereverTheStreamIsCutInTwo() {
        Buffer all = stream();
        for (int cut = 0; cut <= all.length(); cut++) {
            PacketDecoder d = new PacketDecoder();
            List<Packet> got = collect(d, all.getBuffer(0, cut), all.getBuffer(cut, all.length()));
            assertThat(got).as("cut at %d", cut).isEqualTo(EXPECTED);
            assertThat(d.pendingBytes()).as("cut at %d", cut).isZero();
        }
    }

    @Test
    void deliversTheSamePacketsWhenFedOneByteAtATime() {
        Buffer all = stream();
        PacketDecoder d = new PacketDecoder();
        List<Packet> got = new ArrayList<>();
        int sinceLastPacket = 0;
        for (int i = 0; i < all.length(); i++) {
            int before = got.size();
            got.addAll(collect(d, all.getBuffer(i, i + 1)));
            sinceLastPacket = got.size() > before ? 0 : sinceLastPacket + 1;
            assertThat(d.pendingBytes()).as("after byte %d", i).isEqualTo(sinceLastPacket);
        }
        assertThat(got).isEqualTo(EXPECTED);
    }

    @Test
    void keepsAnIncompleteHeaderUntilTheRestArrives() {
        PacketDecoder d = new PacketDecoder();
        assertThat(collect(d, Buffer.buffer(new byte[]{1, 0}))).isEmpty();
        assertThat(d.pendingBytes()).isEqualTo(2);
        assertThat(collect(d, Buffer.buffer(new byte[]{0, 5}))).isEmpty();
        assertThat(d.pendingBytes()).isEqualTo(4);
        assertThat(collect(d, Buffer.buffer(new byte[]{Command.COM_PING, 0}))).containsExactly(new Packet(5, "0e"));
        assertThat(d.pendingBytes()).isEqualTo(1);
    }

    @Test
    void onlyThePacketSplitAcrossChunksIsGatheredTheOthersAreWindowsOfTheirChunk() {
        Buffer all = stream();
        int cut = 4 + 9 + 2; // inside the header of the second packet
        Buffer first = all.getBuffer(0, cut);
        Buffer second = all.getBuffer(cut, all.length());
        List<Buffer> sources = new ArrayList<>();
        PacketDecoder d = new PacketDecoder();
        d.feed(first, (seq, buf, off, len) -> sources.add(buf));
        d.feed(second, (seq, buf, off, len) -> sources.add(buf));
        assertThat(sources).hasSize(4);
        assertThat(sources.get(0)).isSameAs(first);
        assertThat(sources.get(1)).as("the split packet, gathered").isNotSameAs(first).isNotSameAs(second);
        assertThat(sources.get(2)).as("after the split one: the chunk itself, not a copy").isSameAs(second);
        assertThat(sources.get(3)).isSameAs(second);
    }

    @Test
    void deliversManyPacketsOfOneChunkInOrder() {
        Buffer chunk = Buffer.buffer();
        for (int i = 0; i < 1000; i++) {
            chunk.appendBuffer(Packets.frame(i & 0xFF, Buffer.buffer().appendIntLE(i)));
        }
        List<Integer> values = new ArrayList<>();
        List<Integer> seqs = new ArrayList<>();
        PacketDecoder d = new PacketDecoder();
        d.feed(chunk, (seq, buf, off, len) -> {
            assertThat(len).isEqualTo(4);
            seqs.add(seq);
            values.add(buf.getIntLE(off));
        });
        assertThat(values).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(values.get(i)).isEqualTo(i);
            assertThat(seqs.get(i)).isEqualTo(i & 0xFF);
        }
        assertThat(d.pendingBytes()).isZero();
    }

    @Test
    void assemblesAPacketOfMoreThan16MbFrom64KbChunksInLinearWork() {
        int max = Packets.MAX_PAYLOAD;
        byte[] payload = new byte[max + 100];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i ^ (i >>> 8));
        }
        Buffer wire = Packets.frame(0, Buffer.buffer(payload))
                .appendBuffer(Packets.frame(0, Buffer.buffer(new byte[]{Command.COM_PING})));
        int chunkSize = 64 * 1024;
        long allocated = 0;
        PacketDecoder d = new PacketDecoder();
        List<int[]> calls = new ArrayList<>();
        Buffer joined = Buffer.buffer(payload.length);
        int fed = 0;
        int delivered = 0;
        for (int pos = 0; pos < wire.length(); pos += chunkSize) {
            int end = Math.min(wire.length(), pos + chunkSize);
            Buffer chunk = wire.getBuffer(pos, end);
            int before = calls.size();
            long start = allocatedBytes();
            d.feed(chunk, (seq, buf, off, len) -> {
                calls.add(new int[]{seq, len});
                if (len > 1) {
                    joined.appendBuffer(buf, off, len); // pre-sized: copies, does not allocate
                }
            });
            allocated += allocatedBytes() - start;
            fed += end - pos;
            for (int i = before; i < calls.size(); i++) {
                delivered += 4 + calls.get(i)[1];
            }
            // The state is exactly the bytes not yet delivered: nothing is lost, nothing delivered twice.
            assertThat(d.pendingBytes()).as("after %d bytes", fed).isEqualTo(fed - delivered);
            // No packet is delivered before its last byte arrived.
            if (fed < 4 + max) {
                assertThat(calls).as("after %d bytes", fed).isEmpty();
            }
        }
        assertThat(calls).hasSize(3);
        assertThat(calls.get(0)).containsExactly(0, max);
        assertThat(calls.get(1)).containsExactly(1, 100);
        assertThat(calls.get(2)).containsExactly(0, 1);
        assertThat(joined.getBytes()).isEqualTo(payload);
        assertThat(d.pendingBytes()).isZero();
        // Linear, not quadratic: re-assembling the whole pending buffer on every 64 KB chunk would allocate
        // about 256 x 16 MB / 2 = 2 GB; appending each chunk to a growing buffer allocates a small multiple of
        // the stream's length (the buffer grows by doubling, then in 4 MB steps).
        assertThat(allocated).as("bytes allocated while decoding").isLessThan(8L * wire.length());
    }

    /** The golden headers of a 16 MB packet and its continuation around a payload of 0xFFFFFF + 5 bytes. */
    private static Buffer splitPacket(String goldenHeaders) {
        byte[] headers = GoldenHex.load("mysql", goldenHeaders);
        return Buffer.buffer(Arrays.copyOfRange(headers, 0, 4)).appendBuffer(Buffer.buffer(new byte[Packets.MAX_PAYLOAD]))
                .appendBytes(Arrays.copyOfRange(headers, 4, 8)).appendBuffer(Buffer.buffer(new byte[5]));
    }

    @Test
    void aContinuationWithTheWrongSequenceIdIsRefusedNotJoined() {
        Buffer wire = splitPacket("frame-split-continuation-out-of-order-headers");
        for (int chunkSize : new int[]{wire.length(), 64 * 1024}) {
            PacketDecoder d = new PacketDecoder();
            List<int[]> delivered = new ArrayList<>();
            PacketOutOfOrderException e = catchThrowableOfType(() -> {
                for (int pos = 0; pos < wire.length(); pos += chunkSize) {
                    d.feed(wire.getBuffer(pos, Math.min(wire.length(), pos + chunkSize)),
                            (seq, buf, off, len) -> delivered.add(new int[]{seq, len}));
                }
            }, PacketOutOfOrderException.class);
            assertThat(e).as("chunks of %d bytes", chunkSize).isNotNull();
            assertThat(e.sequenceId()).isEqualTo(7);
            assertThat(e.expected()).isEqualTo(1);
            assertThat(e.getMessage()).contains("Got packets out of order");
            assertThat(delivered).as("only the first packet went through").hasSize(1);
            assertThat(delivered.get(0)).containsExactly(0, Packets.MAX_PAYLOAD);
        }
    }

    @Test
    void aContinuationWithTheNextSequenceIdIsJoinedAcrossTheWrap() {
        Buffer wire = splitPacket("frame-split-sequence-wrap-headers");
        List<int[]> delivered = new ArrayList<>();
        new PacketDecoder().feed(wire, (seq, buf, off, len) -> delivered.add(new int[]{seq, len}));
        assertThat(delivered).hasSize(2);
        assertThat(delivered.get(0)).containsExactly(255, Packets.MAX_PAYLOAD);
        assertThat(delivered.get(1)).containsExactly(0, 5);
    }

    @Test
    void aPacketAfterAShortOneMayCarryAnySequenceId() {
        // Only a continuation is bound to the next id: a new command starts again at 0, an answer at 1.
        Buffer wire = Packets.frame(3, Buffer.buffer(new byte[]{Command.COM_PING}))
                .appendBuffer(Packets.frame(0, Buffer.buffer(new byte[]{Command.COM_PING})));
        assertThat(collect(new PacketDecoder(), wire)).extracting(Packet::seq).containsExactly(3, 0);
    }

    @Test
    void beforeLoginAPacketOverSixteenKilobytesIsRefusedAtItsHeader() {
        PacketDecoder d = PacketDecoder.beforeLogin();
        // A 16 MB - 1 header with sequence id 1 (a handshake response's), and no payload at all.
        Buffer header = Buffer.buffer(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
        PacketTooLargeException e = catchThrowableOfType(() -> collect(d, header), PacketTooLargeException.class);
        assertThat(e).as("refused on the header").isNotNull();
        assertThat(e.length()).isEqualTo(Packets.MAX_PAYLOAD);
        assertThat(e.limit()).isEqualTo(16 * 1024);
        assertThat(e.sequenceId()).isEqualTo(1);
        assertThat(d.pendingBytes()).isZero();
    }

    @Test
    void beforeLoginAPacketOfExactlySixteenKilobytesIsAccepted() {
        Buffer payload = Buffer.buffer(new byte[PacketDecoder.MAX_PAYLOAD_BEFORE_LOGIN]);
        assertThat(collect(PacketDecoder.beforeLogin(), Packets.frame(3, payload))).hasSize(1);
        Buffer oneMore = Packets.frame(3, Buffer.buffer(new byte[PacketDecoder.MAX_PAYLOAD_BEFORE_LOGIN + 1]));
        assertThat(catchThrowableOfType(() -> collect(PacketDecoder.beforeLogin(), oneMore), PacketTooLargeException.class))
                .isNotNull();
    }

    @Test
    void aLimitRaisedAtLoginLetsLargerPacketsThrough() {
        PacketDecoder d = PacketDecoder.beforeLogin();
        d.limit(Packets.MAX_PAYLOAD);
        Buffer command = Packets.frame(0, Buffer.buffer(new byte[100_000]));
        assertThat(collect(d, command)).singleElement().satisfies(p -> assertThat(p.seq()).isZero());
    }

    @Test
    void aDeclaredLengthIsNotAllocatedBeforeItsBytesArrive() {
        // Six bytes announcing a 16 MB packet: what the decoder holds follows the bytes received.
        PacketDecoder d = new PacketDecoder();
        Buffer start = Buffer.buffer(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, 0, Command.COM_QUERY, 'S'});
        long before = allocatedBytes();
        d.feed(start, (seq, buf, off, len) -> { });
        long allocated = allocatedBytes() - before;
        assertThat(d.pendingBytes()).isEqualTo(6);
        assertThat(allocated).as("bytes allocated for a six-byte start").isLessThan(64 * 1024);
    }

    /** Bytes allocated so far by this thread: a deterministic measure of copying, unlike time. */
    private static long allocatedBytes() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).as("thread allocation accounting").isTrue();
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        return threads.getCurrentThreadAllocatedBytes();
    }
}
