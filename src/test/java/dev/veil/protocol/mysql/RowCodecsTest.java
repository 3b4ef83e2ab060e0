package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.veil.testing.GoldenHex.hex;
import static dev.veil.testing.GoldenHex.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Text and binary protocol rows decoded into values and encoded back (dev.mysql.com "Binary Protocol Value"). */
class RowCodecsTest {
    /** TINY, SHORT, LONG, LONGLONG, FLOAT, DOUBLE, DATE, DATETIME, TIME, VAR_STRING, NEWDECIMAL: 11 columns. */
    private static final int[] TYPES = {0x01, 0x02, 0x03, 0x08, 0x04, 0x05, 0x0A, 0x0C, 0x0B, 0xFD, 0xF6};

    /** Columns 6 (DATE) and 10 (NEWDECIMAL) NULL: bits 8 and 12 of a 2-byte bitmap. */
    private static final Buffer BINARY_ROW = Buffer.buffer(parse("00  00 11"
            + " 7f  2c 01  01 00 00 00  ff ff ff ff ff ff ff ff  00 00 c0 3f  00 00 00 00 00 00 f0 3f"
            + " 07 e8 07 0b 18 0c 22 38" // DATETIME 2024-11-24 12:34:56: length 7
            + " 08 00 01 00 00 00 02 03 04" // TIME 1 day 02:03:04: length 8
            + " 05 68 65 6c 6c 6f")); // "hello"

    @Test
    void aBinaryRowDecodesIntoEachValueWithoutItsLengthPrefixAndEncodesBackTheSame() {
        Buffer[] values = BinaryRow.values(BINARY_ROW, 0, BINARY_ROW.length(), TYPES);
        assertThat(values).hasSize(11);
        assertThat(values[0].getByte(0)).isEqualTo((byte) 0x7f);
        assertThat(values[1].getShortLE(0)).isEqualTo((short) 300);
        assertThat(values[2].getIntLE(0)).isEqualTo(1);
        assertThat(values[3].getLongLE(0)).isEqualTo(-1L);
        assertThat(Float.intBitsToFloat(values[4].getIntLE(0))).isEqualTo(1.5f);
        assertThat(Double.longBitsToDouble(values[5].getLongLE(0))).isEqualTo(1.0);
        assertThat(values[6]).isNull();
        assertThat(hex(values[7])).isEqualTo("e8 07 0b 18 0c 22 38");
        assertThat(values[8].length()).isEqualTo(8);
        assertThat(values[9].toString()).isEqualTo("hello");
        assertThat(values[10]).isNull();
        assertThat(hex(BinaryRow.encode(values, TYPES))).isEqualTo(hex(BINARY_ROW));
    }

    @Test
    void aChangedStringValueIsLengthEncodedAndTheBitmapFollowsNulls() {
        Buffer[] values = BinaryRow.values(BINARY_ROW, 0, BINARY_ROW.length(), TYPES);
        values[9] = Buffer.buffer("x".repeat(251));
        values[0] = null; // column 0: bit 2 of the first bitmap byte
        Buffer encoded = BinaryRow.encode(values, TYPES);
        assertThat(hex(encoded.getBuffer(0, 3))).isEqualTo("00 04 11");
        Buffer[] again = BinaryRow.values(encoded, 0, encoded.length(), TYPES);
        assertThat(again[0]).isNull();
        assertThat(again[9].toString()).isEqualTo("x".repeat(251));
        int prefix = encoded.length() - 251 - 3;
        assertThat(hex(encoded.getBuffer(prefix, prefix + 3))).as("0xfc and a 2-byte length").isEqualTo("fc fb 00");
    }

    @Test
    void aFixedSizeValueMustKeepItsSize() {
        Buffer[] values = BinaryRow.values(BINARY_ROW, 0, BINARY_ROW.length(), TYPES);
        values[2] = Buffer.buffer("12345");
        assertThatThrownBy(() -> BinaryRow.encode(values, TYPES)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x3").hasMessageContaining("5 bytes");
    }

    @Test
    void malformedBinaryRowsAreRefused() {
        assertThatThrownBy(() -> BinaryRow.values(Buffer.buffer(parse("01 00 00")), 0, 3, new int[]{0x01}))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("0x00");
        assertThatThrownBy(() -> BinaryRow.values(Buffer.buffer(parse("00 00 01 02")), 0, 4, new int[]{0x01}))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("after its last value");
        assertThatThrownBy(() -> BinaryRow.values(Buffer.buffer(parse("00 00 01")), 0, 3, new int[]{0x11}))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("unknown column type 0x11");
    }

    @Test
    void textRowValuesRoundTripAcrossLengthEncodingBoundaries() {
        for (int length : new int[]{0, 250, 251, 65535, 65536, 1 << 24}) {
            byte[] bytes = new byte[length];
            Arrays.fill(bytes, (byte) 'v');
            Buffer[] values = {Buffer.buffer(bytes), null, Buffer.buffer("last")};
            Buffer payload = TextRow.encode(values);
            Buffer[] decoded = TextRow.values(payload, 0, payload.length());
            assertThat(decoded).as("value of %d bytes", length).hasSize(3);
            assertThat(decoded[0].length()).isEqualTo(length);
            assertThat(decoded[1]).isNull();
            assertThat(decoded[2].toString()).isEqualTo("last");
            assertThat(payload.length()).isEqualTo(length + (length < 251 ? 1 : length < 65536 ? 3 : length < 1 << 24 ? 4 : 9) + 1 + 5);
        }
    }

    @Test
    void aTextRowValueLongerThanItsPacketIsRefused() {
        assertThatThrownBy(() -> TextRow.values(Buffer.buffer(parse("05 61 62")), 0, 3))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("exceeds the packet");
    }
}
