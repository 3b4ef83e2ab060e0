package dev.veil.frontend.mysql;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.ResponseTracker;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import dev.veil.testing.ColumnRewriter;
import dev.veil.testing.GoldenHex;
import dev.veil.testing.RelayCapture;
import dev.veil.upstream.MySqlResultReader;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.veil.testing.GoldenHex.hex;
import static dev.veil.testing.RelayCapture.cut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The MySQL result relay between a server connection's packets and the client: with no rewriter the
 * server's bytes go out untouched and uncopied however the reads are cut, for text and binary protocol
 * results; with one, changed rows are re-encoded. Packets are cut and classified exactly as a leased
 * MySqlServerConnection does (PacketDecoder, ResponseTracker, MySqlResultReader), one read at a time.
 */
class MySqlResultRelayTest {
    private static final Buffer TEXT = GoldenHex.buffer("mysql", "result-text-two-columns");
    private static final Buffer BINARY = GoldenHex.buffer("mysql", "result-binary-two-columns");
    /** Bytes of the text result before its first row: column count, two definitions, EOF. */
    private static final int TEXT_COLUMNS = (4 + 1) + (4 + 0x30) + (4 + 0x34) + (4 + 5);

    /** One leased connection's reading side, answering one command, and what the relay told its connection. */
    private static final class Wire {
        final RelayCapture client = new RelayCapture();
        final List<String> answers = new ArrayList<>();
        final ResponseTracker tracker;
        final MySqlResultRelay relay;
        final MySqlResultReader reader;
        final PacketDecoder decoder = new PacketDecoder();

        Wire(int command, boolean deprecateEof) {
            MySqlResultReader[] self = new MySqlResultReader[1];
            tracker = new ResponseTracker(deprecateEof, (c, error, status, rows) -> self[0].answered(error, rows));
            tracker.expect(command, ResponseTracker.Shape.RESULT);
            relay = new MySqlResultRelay(client, tracker::binaryRows,
                    (error, rows) -> answers.add((error ? "error" : "ok") + " " + rows + " after packet " + client.messages()),
                    cause -> { throw new AssertionError(cause); });
            reader = new MySqlResultReader(tracker, client.watching(relay));
            self[0] = reader;
        }

        static Wire text() {
            return new Wire(Command.COM_QUERY, false);
        }

        static Wire binary() {
            return new Wire(Command.COM_STMT_EXECUTE, true);
        }

        Wire reads(List<Buffer> reads) {
            reads.forEach(r -> reader.read(decoder, r));
            return this;
        }
    }

    private static void relaysUntouchedWhereverCut(Buffer result, boolean binary, int packets) {
        int n = result.length();
        for (int a = 0; a <= n; a++) {
            for (int b = a; b <= n; b++) {
                Wire w = binary ? Wire.binary() : Wire.text();
                w.reads(cut(result, a, b));
                assertThat(hex(w.client.received())).as("reads cut at %d and %d", a, b).isEqualTo(hex(result));
                w.client.assertNothingCopied();
                // The answer is complete once its last packet went by, and only then.
                assertThat(w.answers).as("cut at %d and %d", a, b).containsExactly("ok 3 after packet " + packets);
            }
        }
    }

    @Test
    void anUntouchedTextResultReachesTheClientByteForByteWithoutACopyWhereverTheReadsAreCut() {
        relaysUntouchedWhereverCut(TEXT, false, 8);
    }

    @Test
    void anUntouchedBinaryResultReachesTheClientByteForByteWithoutACopyWhereverTheReadsAreCut() {
        relaysUntouchedWhereverCut(BINARY, true, 7);
    }

    @Test
    void aReadOfWholePacketsIsForwardedAsTheVeryBufferItArrivedIn() {
        Buffer read = TEXT.copy();
        Wire w = Wire.text().reads(List.of(read));
        assertThat(w.client.writes()).hasSize(1);
        assertThat(w.client.writes().get(0)).isSameAs(read);
        assertThat(w.client.reads()).isEqualTo(1);
    }

    @Test
    void aRewriterSeesTheColumnsAndTheChangedTextRowsAreReEncoded() {
        Buffer expected = GoldenHex.buffer("mysql", "result-text-two-columns-name-rewritten");
        for (int a = 0; a <= TEXT.length(); a++) {
            Wire w = Wire.text();
            ColumnRewriter rewriter = new ColumnRewriter("name", Buffer.buffer("***"));
            w.relay.rewriteWith(rewriter);
            w.reads(cut(TEXT, a));
            assertThat(hex(w.client.received())).as("reads cut at %d", a).isEqualTo(hex(expected));
            assertThat(rewriter.columns()).hasSize(1);
            assertThat(rewriter.columns().get(0)).extracting(ResultColumn::name, ResultColumn::typeId, ResultColumn::format)
                    .containsExactly(tuple("id", 0x03, ResultColumn.Format.TEXT), tuple("name", 0xFD, ResultColumn.Format.TEXT));
            assertThat(rewriter.completions()).containsExactly(false);
            assertThat(w.answers).containsExactly("ok 3 after packet 8");
        }
    }

    @Test
    void aRefusedResultSendsNoRowAndAnErrNumberedOnFromTheColumnsInPlaceOfItsEnd() {
        VeilException refusal = VeilException.error(ErrorCode.POLICY_DENIED, "masking: refused");
        Wire w = Wire.text();
        w.relay.rewriteWith(new ResultRewriter() {
            @Override
            public ResultRow row(ResultRow row) {
                return null;
            }

            @Override
            public VeilException refusal() {
                return refusal;
            }
        });
        w.reads(List.of(TEXT.copy()));
        // The columns as the server sent them (packets 1 to 4), then the ERR as packet 5: the three rows are gone.
        Buffer expected = TEXT.getBuffer(0, TEXT_COLUMNS)
                .appendBuffer(Packets.frame(5, new ErrPacket(1142, "42000", "masking: refused").encode()));
        assertThat(hex(w.client.received())).isEqualTo(hex(expected));
    }

    @Test
    void aRewrittenValueOfMoreThan250BytesGetsALongerLengthPrefix() {
        Buffer longValue = Buffer.buffer("x".repeat(300));
        Wire w = Wire.text();
        w.relay.rewriteWith(new ColumnRewriter("name", longValue));
        w.reads(List.of(TEXT.copy()));
        // Row 1: "1", then 0xfc + int<2> 300 + 300 bytes: payload 2 + 3 + 300 = 305 (0x000131), sequence id 5.
        Buffer row = Buffer.buffer(GoldenHex.parse("31 01 00 05  01 31  fc 2c 01")).appendBuffer(longValue);
        Buffer received = Buffer.buffer(w.client.received());
        assertThat(hex(received.getBuffer(TEXT_COLUMNS, TEXT_COLUMNS + row.length()))).isEqualTo(hex(row));
        // Two names replaced: each row grows by the new value and its 3-byte prefix, less the old ones.
        assertThat(received.length()).isEqualTo(TEXT.length() + (303 - 6) + (303 - 4));
    }

    @Test
    void aRewriterChangesABinaryRowValueKeepingTheNullBitmapAndFixedSizeValues() {
        Wire w = Wire.binary();
        ColumnRewriter rewriter = new ColumnRewriter("name", Buffer.buffer("***"));
        w.relay.rewriteWith(rewriter);
        w.reads(cut(BINARY, 40, 150));
        int columns = (4 + 1) + (4 + 0x30) + (4 + 0x34);
        Buffer expected = BINARY.getBuffer(0, columns).appendBuffer(Buffer.buffer(GoldenHex.parse(
                "0a 00 00 04  00 00  01 00 00 00  03 2a 2a 2a" // id 1, name "***": 10 bytes
                        + " 06 00 00 05  00 08  02 00 00 00" // NULL name: the server's packet
                        + " 0a 00 00 06  00 00  0a 00 00 00  03 2a 2a 2a"
                        + " 07 00 00 07  fe 00 00 02 00 00 00")));
        assertThat(hex(w.client.received())).isEqualTo(hex(expected));
        assertThat(rewriter.columns()).hasSize(1);
        assertThat(rewriter.columns().get(0)).extracting(ResultColumn::name, ResultColumn::typeId, ResultColumn::format)
                .containsExactly(tuple("id", 0x03, ResultColumn.Format.BINARY), tuple("name", 0xFD, ResultColumn.Format.BINARY));
        assertThat(w.answers).containsExactly("ok 3 after packet 7");
    }

    @Test
    void aRowTheRewriterHandsBackUnchangedGoesOutAsTheServersBytes() {
        Wire w = Wire.binary();
        w.relay.rewriteWith(row -> row);
        Buffer read = BINARY.copy();
        w.reads(List.of(read));
        assertThat(w.client.writes()).containsExactly(read);
    }

    /**
     * The text result's column part, then one row ("1", a value of 2^24 bytes: 0xfe and an 8-byte length)
     * that takes two packets (sequence ids 5 and 6), then the EOF (7).
     */
    private static Buffer sixteenMegabyteRowResult() {
        byte[] value = new byte[1 << 24];
        Arrays.fill(value, (byte) 'y');
        Buffer payload = Buffer.buffer(GoldenHex.parse("01 31  fe 00 00 00 01 00 00 00 00")).appendBytes(value);
        return TEXT.getBuffer(0, TEXT_COLUMNS).appendBuffer(Packets.frame(5, payload))
                .appendBuffer(Buffer.buffer(GoldenHex.parse("05 00 00 07   fe 00 00 02 00")));
    }

    /** That result read in 64 KB pieces through a relay with {@code rewriter}. */
    private static Wire relayedIn64KbReads(Buffer result, ColumnRewriter rewriter) {
        List<Buffer> reads = new ArrayList<>();
        for (int at = 0; at < result.length(); at += 65536) {
            reads.add(result.getBuffer(at, Math.min(result.length(), at + 65536)));
        }
        Wire w = Wire.text();
        w.relay.rewriteWith(rewriter);
        return w.reads(reads);
    }

    @Test
    void aRowOfSeveralPacketsIsRewrittenOnceWhole() {
        Buffer result = sixteenMegabyteRowResult();
        Wire w = relayedIn64KbReads(result, new ColumnRewriter("id", Buffer.buffer("9")));
        Buffer expected = result.copy();
        int id = TEXT_COLUMNS + 4 + 1;
        assertThat((char) expected.getByte(id)).isEqualTo('1');
        expected.setByte(id, (byte) '9');
        assertThat(Buffer.buffer(w.client.received())).isEqualTo(expected);
        assertThat(w.answers).containsExactly("ok 1 after packet 7");
    }

    @Test
    void whenARewrittenRowTakesFewerPacketsTheLaterPacketsAreRenumbered() {
        Buffer result = sixteenMegabyteRowResult();
        Wire w = relayedIn64KbReads(result, new ColumnRewriter("name", Buffer.buffer("***")));
        Buffer expected = result.getBuffer(0, TEXT_COLUMNS).appendBuffer(Buffer.buffer(GoldenHex.parse(
                "06 00 00 05   01 31  03 2a 2a 2a" // the row, now one packet
                        + " 05 00 00 06   fe 00 00 02 00"))); // the EOF: sequence id 6, following the row
        assertThat(hex(w.client.received())).isEqualTo(hex(expected));
    }
}
