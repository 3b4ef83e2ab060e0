package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Value positions read off a row packet in an array agree with the slices TextRow and BinaryRow read. */
class RowPositionsTest {
    /** VARCHAR, LONGLONG, DATETIME, BLOB, TINY: a length-encoded, fixed, length-byte, long length-encoded and 1-byte value. */
    private static final int[] TYPES = {0xFD, 0x08, 0x0C, 0xFC, 0x01};

    private static byte[] packet(Buffer payload) {
        return Buffer.buffer(new byte[]{0, 0, 0, 7}).appendBuffer(payload).getBytes();
    }

    private static Buffer[] randomValues(Random random) {
        Buffer[] values = new Buffer[TYPES.length];
        for (int i = 0; i < TYPES.length; i++) {
            if (random.nextInt(6) == 0) {
                continue;
            }
            int n = switch (TYPES[i]) {
                case 0x08 -> 8;
                case 0x01 -> 1;
                case 0x0C -> new int[]{0, 4, 7, 11}[random.nextInt(4)];
                case 0xFC -> random.nextInt(3) == 0 ? 70_000 : random.nextInt(300); // 3-byte and 2-byte lengths
                default -> random.nextInt(260);
            };
            byte[] v = new byte[n];
            random.nextBytes(v);
            values[i] = Buffer.buffer(v);
        }
        return values;
    }

    private static void assertSame(byte[] packet, Buffer[] expected, int[] starts, int[] lengths) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == null) {
                assertThat(starts[i]).as("value %d is NULL", i).isEqualTo(-1);
            } else {
                assertThat(Arrays.copyOfRange(packet, starts[i], starts[i] + lengths[i])).as("value %d", i)
                        .isEqualTo(expected[i].getBytes());
            }
        }
    }

    @Test
    void textRowPositionsPointAtTheValuesTextRowReads() {
        Random random = new Random(7);
        for (int n = 0; n < 500; n++) {
            Buffer[] values = randomValues(random);
            byte[] packet = packet(TextRow.encode(values));
            int[] starts = new int[values.length];
            int[] lengths = new int[values.length];
            RowPositions.text(packet, 4, starts, lengths);
            assertSame(packet, TextRow.values(Buffer.buffer(packet), 4, packet.length - 4), starts, lengths);
            assertSame(packet, values, starts, lengths);
        }
    }

    @Test
    void binaryRowPositionsPointAtTheValuesBinaryRowReads() {
        Random random = new Random(11);
        for (int n = 0; n < 500; n++) {
            Buffer[] values = randomValues(random);
            byte[] packet = packet(BinaryRow.encode(values, TYPES));
            int[] starts = new int[TYPES.length];
            int[] lengths = new int[TYPES.length];
            RowPositions.binary(packet, 4, TYPES, starts, lengths);
            assertSame(packet, BinaryRow.values(Buffer.buffer(packet), 4, packet.length - 4, TYPES), starts, lengths);
            assertSame(packet, values, starts, lengths);
        }
    }

    @Test
    void malformedRowsAreRefused() {
        int[] two = new int[2];
        // a value longer than the row; bytes after the last value; a row without its second value; a bad length prefix
        for (String hex : new String[]{"05 41", "01 41 01 42 43", "01 41", "ff 41"}) {
            byte[] packet = packet(Buffer.buffer(HexFormat.ofDelimiter(" ").parseHex(hex)));
            assertThatThrownBy(() -> RowPositions.text(packet, 4, two, new int[2])).as(hex)
                    .isInstanceOf(MalformedPacketException.class);
        }
        byte[] notBinary = packet(Buffer.buffer(new byte[]{1, 0}));
        assertThatThrownBy(() -> RowPositions.binary(notBinary, 4, new int[]{0x01}, new int[1], new int[1]))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("0x00");
        byte[] shortFixed = packet(Buffer.buffer(new byte[]{0, 0, 1, 2, 3}));
        assertThatThrownBy(() -> RowPositions.binary(shortFixed, 4, new int[]{0x08}, new int[1], new int[1]))
                .isInstanceOf(MalformedPacketException.class);
    }
}
