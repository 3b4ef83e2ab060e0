package dev.veil.protocol.mysql;

import dev.veil.testing.GoldenHex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

import static dev.veil.testing.GoldenHex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressedFramesTest {

    private static byte[] packet(int seq, byte[] payload) {
        return Packets.frame(seq, io.vertx.core.buffer.Buffer.buffer(payload)).getBytes();
    }

    private static byte[] encode(byte[] data, int seq) {
        CompressedFrames frames = new CompressedFrames();
        ByteBuf out = frames.encode(Unpooled.wrappedBuffer(data), seq);
        frames.close();
        return ByteBufUtil.getBytes(out);
    }

    /** Decodes in reads of {@code chunk} bytes; returns the sequence ids and the bytes carried. */
    private static List<Object> decode(byte[] wire, int chunk) {
        CompressedFrames frames = new CompressedFrames();
        List<Integer> seqs = new ArrayList<>();
        ByteArrayOutputStream inflated = new ByteArrayOutputStream();
        try {
            for (int pos = 0; pos < wire.length; pos += chunk) {
                frames.decode(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, pos, Math.min(wire.length, pos + chunk))), (seq, buf) -> {
                    seqs.add(seq);
                    inflated.writeBytes(ByteBufUtil.getBytes(buf));
                    buf.release();
                });
            }
        } finally {
            frames.close();
        }
        return List.of(seqs, inflated.toByteArray());
    }

    @Test
    void aPacketUnderFiftyBytesIsSentAsIsWithUncompressedLengthZero() {
        byte[] query = packet(0, "\u0003SELECT 1".getBytes());
        assertThat(hex(encode(query, 0))).isEqualTo(hex(GoldenHex.load("mysql", "compressed-frame-short-query")));
    }

    @Test
    void aDeflatedFrameInflatesToThePacketItCarries() {
        byte[] query = packet(0, ("\u0003SELECT '" + "a".repeat(100) + "'").getBytes());
        List<Object> got = decode(GoldenHex.load("mysql", "compressed-frame-deflated-query"), 1 << 20);
        assertThat(got.get(0)).isEqualTo(List.of(3));
        assertThat(hex((byte[]) got.get(1))).isEqualTo(hex(query));
    }

    @Test
    void aLongPacketIsDeflatedWithItsUncompressedLengthInTheHeader() {
        byte[] query = packet(0, ("\u0003SELECT '" + "a".repeat(1000) + "'").getBytes());
        byte[] wire = encode(query, 7);
        assertThat(wire.length).isLessThan(query.length / 4);
        assertThat((wire[0] & 0xff) | (wire[1] & 0xff) << 8 | (wire[2] & 0xff) << 16).isEqualTo(wire.length - 7);
        assertThat(wire[3]).isEqualTo((byte) 7);
        assertThat((wire[4] & 0xff) | (wire[5] & 0xff) << 8 | (wire[6] & 0xff) << 16).isEqualTo(query.length);
        List<Object> got = decode(wire, 3);
        assertThat(got.get(0)).isEqualTo(List.of(7));
        assertThat((byte[]) got.get(1)).isEqualTo(query);
    }

    @Test
    void incompressibleBytesAreSentAsIs() {
        byte[] data = new byte[4000];
        new Random(1).nextBytes(data);
        byte[] wire = encode(data, 0);
        assertThat(wire.length).isEqualTo(data.length + 7);
        assertThat(Arrays.copyOfRange(wire, 4, 7)).isEqualTo(new byte[3]);
    }

    @Test
    void moreThanSixteenMegabytesSpanFramesWithConsecutiveSequenceIds() {
        byte[] data = new byte[Packets.MAX_PAYLOAD * 2 + 100];
        new Random(2).nextBytes(data);
        Arrays.fill(data, 0, 5_000_000, (byte) 'x');
        byte[] wire = encode(data, 254);
        assertThat(CompressedFrames.frameCount(data.length)).isEqualTo(3);
        List<Object> got = decode(wire, 1 << 16);
        assertThat(got.get(0)).isEqualTo(List.of(254, 255, 0));
        assertThat((byte[]) got.get(1)).isEqualTo(data);
    }

    @Test
    void aDecompressionBombIsRefusedAtItsDeclaredLength() {
        // 64 MiB of zeros deflate to about 64 kB; the header claims 1 MiB.
        Deflater d = new Deflater(9);
        d.setInput(new byte[64 << 20]);
        d.finish();
        byte[] buf = new byte[1 << 20];
        int n = 0;
        while (!d.finished()) {
            n += d.deflate(buf, n, buf.length - n);
        }
        d.end();
        byte[] wire = new byte[7 + n];
        int declared = 1 << 20;
        wire[0] = (byte) n;
        wire[1] = (byte) (n >> 8);
        wire[2] = (byte) (n >> 16);
        wire[4] = (byte) declared;
        wire[5] = (byte) (declared >> 8);
        wire[6] = (byte) (declared >> 16);
        System.arraycopy(buf, 0, wire, 7, n);
        assertThatThrownBy(() -> decode(wire, 4096)).isInstanceOf(MalformedPacketException.class)
                .hasMessageContaining("inflates past its declared length of 1048576 bytes");
    }

    @Test
    void bytesThatAreNotZlibAreRefused() {
        byte[] wire = {5, 0, 0, 0, 9, 0, 0, 1, 2, 3, 4, 5};
        CompressedFrames frames = new CompressedFrames();
        assertThatThrownBy(() -> frames.decode(Unpooled.wrappedBuffer(wire), (s, b) -> { }))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("not a valid zlib stream");
        assertThat(frames.lastSequenceId()).as("the refused frame's, which the ERR continues").isEqualTo(0);
        frames.close();
    }

    @Test
    void aStreamShorterThanDeclaredIsRefused() {
        byte[] wire = GoldenHex.load("mysql", "compressed-frame-deflated-query");
        wire[4] = (byte) 200; // declares 200 bytes, carries 114
        assertThatThrownBy(() -> decode(wire, 100)).isInstanceOf(MalformedPacketException.class)
                .hasMessageContaining("inflates to 114 bytes, not the 200");
    }

    @Test
    void afterARefusalLaterInputIsIgnored() {
        CompressedFrames frames = new CompressedFrames();
        assertThatThrownBy(() -> frames.decode(Unpooled.wrappedBuffer(new byte[]{1, 0, 0, 0, 9, 0, 0, 1}), (s, b) -> { }))
                .isInstanceOf(MalformedPacketException.class);
        List<Integer> after = new ArrayList<>();
        frames.decode(Unpooled.wrappedBuffer(GoldenHex.load("mysql", "compressed-frame-short-query")), (s, b) -> after.add(s));
        assertThat(after).isEmpty();
        frames.close();
    }
}
