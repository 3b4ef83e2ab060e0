package dev.veil.protocol.pg;

import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static dev.veil.testing.GoldenHex.hex;
import static dev.veil.testing.GoldenHex.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RowDescription and DataRow read from server frames, and DataRow encoded back. */
class RowMessagesTest {
    private static PgFrame frame(String hex) {
        return PgFrame.of(Buffer.buffer(parse(hex)));
    }

    @Test
    void aDataRowDecodesIntoSlicesAndEncodesBackTheSame() {
        PgFrame row = frame("44 0000000f 0002   00000001 32   ffffffff");
        Buffer[] values = DataRow.values(row);
        assertThat(values).hasSize(2);
        assertThat(values[0].toString()).isEqualTo("2");
        assertThat(values[1]).isNull();
        assertThat(hex(DataRow.encode(values))).isEqualTo(hex(row.bytes()));
    }

    @Test
    void aDataRowsPositionsPointIntoItsFrameAndEncodeBackWithOneValueReplaced() {
        PgFrame row = frame("44 00000016 0003   00000001 32   ffffffff   00000003 616263");
        DataRow.Positions p = DataRow.positions(row);
        assertThat(p.starts()).containsExactly(row.start() + 11, -1, row.start() + 20);
        assertThat(p.lengths()).containsExactly(1, -1, 3);
        Buffer replacement = Buffer.buffer("xy");
        Buffer encoded = DataRow.encode(3, i -> i == 2 ? replacement.length() : p.lengths()[i], (i, dst, at) -> {
            Buffer from = i == 2 ? replacement : p.source().slice(p.starts()[i], p.starts()[i] + p.lengths()[i]);
            from.getBytes(0, from.length(), dst, at);
        });
        assertThat(hex(encoded)).isEqualTo(hex(Buffer.buffer(parse("44 00000015 0003   00000001 32   ffffffff   00000002 7879"))));
    }

    @Test
    void aDataRowHeldInAnArrayGivesThePositionsItsFrameGives() {
        byte[] message = parse("44 00000016 0003   00000001 32   ffffffff   00000003 616263");
        int count = DataRow.count(message);
        int[] starts = new int[count];
        int[] lengths = new int[count];
        DataRow.positions(message, starts, lengths);
        DataRow.Positions p = DataRow.positions(PgFrame.of(Buffer.buffer(message)));
        assertThat(count).isEqualTo(3);
        assertThat(starts).containsExactly(p.starts());
        assertThat(lengths).containsExactly(p.lengths());
    }

    @Test
    void malformedDataRowsAreProtocolViolations() {
        for (String hex : new String[]{
                "44 0000000a 0001 00000005 41", // a value longer than its frame
                "44 00000005", // no count
                "44 0000000a 0001 fffffffe", // a negative length other than -1
                "44 0000000b 0000 41 42 43 44 45"}) { // bytes after the last value
            assertThatThrownBy(() -> DataRow.values(frame(hex))).as(hex).isInstanceOf(VeilException.class)
                    .hasMessageContaining("DataRow");
            assertThatThrownBy(() -> DataRow.positions(frame(hex))).as(hex).isInstanceOf(VeilException.class)
                    .hasMessageContaining("DataRow");
            assertThatThrownBy(() -> {
                byte[] message = parse(hex);
                int count = DataRow.count(message);
                DataRow.positions(message, new int[count], new int[count]);
            }).as(hex).isInstanceOf(VeilException.class).hasMessageContaining("DataRow");
        }
    }

    @Test
    void aRowDescriptionGivesEachFieldsNameTypeAndFormat() {
        RowDescription d = RowDescription.decode(frame("54 0000001a 0001  6e 00 00004001 0003 00000017 0004 ffffffff 0001"));
        assertThat(d.fields()).containsExactly(new RowDescription.Field("n", 16385, 3, 23, 4, -1, 1));
        assertThat(d.fields().get(0).binary()).isTrue();
        assertThatThrownBy(() -> RowDescription.decode(frame("54 00000010 0001  6e 00 00004001 0003 0000")))
                .isInstanceOf(VeilException.class).hasMessageContaining("RowDescription ends early");
    }
}
