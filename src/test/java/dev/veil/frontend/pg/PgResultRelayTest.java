package dev.veil.frontend.pg;

import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.PgFrameDecoder;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.rewrite.ResultRow;
import dev.veil.testing.ColumnRewriter;
import dev.veil.testing.GoldenHex;
import dev.veil.testing.RelayCapture;
import dev.veil.upstream.PgResultReader;
import dev.veil.upstream.ResultListener;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.veil.testing.GoldenHex.hex;
import static dev.veil.testing.RelayCapture.cut;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL result relay between a server connection's frames and the client: with no rewriter the
 * server's bytes go out untouched and uncopied however the reads are cut; with one, changed DataRows are
 * re-encoded. Frames are cut and classified exactly as a leased PgServerConnection does (PgFrameDecoder,
 * then PgResultReader), one read at a time.
 */
class PgResultRelayTest {
    private static final Buffer RESULT = GoldenHex.buffer("pg", "result-select-two-columns");

    private final RelayCapture client = new RelayCapture();
    /** The type of every frame the statement flow was told of after relaying, in order. */
    private final StringBuilder flowSaw = new StringBuilder();
    private final PgResultRelay relay = new PgResultRelay(client, frame -> { }, frame -> flowSaw.append(frame.typeChar()),
            cause -> { throw new AssertionError(cause); });

    /** What a leased server connection does with each read. */
    private static void serverReads(ResultListener listener, List<Buffer> reads) {
        PgFrameDecoder decoder = new PgFrameDecoder(Integer.MAX_VALUE);
        for (Buffer read : reads) {
            decoder.feed(read, frame -> PgResultReader.deliver(frame, listener));
            listener.onReadComplete();
        }
    }

    @Test
    void anUntouchedResultReachesTheClientByteForByteWithoutACopyWhereverTheReadsAreCut() {
        int n = RESULT.length();
        for (int a = 0; a <= n; a++) {
            for (int b = a; b <= n; b++) {
                RelayCapture client = new RelayCapture();
                StringBuilder types = new StringBuilder();
                PgResultRelay relay = new PgResultRelay(client, f -> { }, f -> types.append(f.typeChar()), e -> { });
                serverReads(client.watching(relay), cut(RESULT, a, b));
                assertThat(hex(client.received())).as("reads cut at %d and %d", a, b).isEqualTo(hex(RESULT));
                client.assertNothingCopied();
                assertThat(types).as("frames the statement flow saw, cut at %d and %d", a, b).hasToString("TDDDCZ");
            }
        }
    }

    @Test
    void aReadOfWholeMessagesIsForwardedAsTheVeryBufferItArrivedIn() {
        Buffer read = RESULT.copy();
        serverReads(relay, List.of(read));
        assertThat(client.writes()).hasSize(1);
        assertThat(client.writes().get(0)).isSameAs(read);
        assertThat(client.reads()).isEqualTo(1);

        // Cut between two messages: each read goes out as itself.
        RelayCapture second = new RelayCapture();
        PgResultRelay other = new PgResultRelay(second, f -> { }, f -> { }, e -> { });
        List<Buffer> onBoundary = cut(RESULT, 51 + 21); // RowDescription is 51 bytes, the first DataRow 21
        serverReads(other, onBoundary);
        assertThat(second.writes()).hasSize(2);
        assertThat(second.writes().get(0)).isSameAs(onBoundary.get(0));
        assertThat(second.writes().get(1)).isSameAs(onBoundary.get(1));
    }

    @Test
    void theStatementFlowIsToldOfEachFrameBeforeAndAfterItIsRelayed() {
        List<String> events = new ArrayList<>();
        PgResultRelay relay = new PgResultRelay(client, f -> events.add("before " + f.typeChar()),
                f -> events.add("after " + f.typeChar()), e -> { });
        serverReads(relay, List.of(RESULT.copy()));
        assertThat(events).containsExactly("before T", "after T", "before D", "after D", "before D", "after D",
                "before D", "after D", "before C", "after C", "before Z", "after Z");
    }

    @Test
    void aRewriterSeesTheColumnsAndTheChangedTextRowsAreReEncoded() {
        Buffer expected = GoldenHex.buffer("pg", "result-select-two-columns-name-rewritten");
        for (int a = 0; a <= RESULT.length(); a++) {
            RelayCapture client = new RelayCapture();
            PgResultRelay relay = new PgResultRelay(client, f -> { }, f -> { }, e -> { });
            ColumnRewriter rewriter = new ColumnRewriter("name", Buffer.buffer("***"));
            relay.rewriteWith(rewriter);
            serverReads(relay, cut(RESULT, a));
            assertThat(hex(client.received())).as("reads cut at %d", a).isEqualTo(hex(expected));
            assertThat(rewriter.columns()).containsExactly(List.of(
                    new ResultColumn("id", 23, ResultColumn.Format.TEXT),
                    new ResultColumn("name", 25, ResultColumn.Format.TEXT)));
            assertThat(rewriter.completions()).containsExactly(false);
        }
    }

    @Test
    void aRowTheRewriterHandsBackUnchangedGoesOutAsTheServersBytes() {
        relay.rewriteWith(row -> row);
        Buffer read = RESULT.copy();
        serverReads(client.watching(relay), List.of(read));
        assertThat(client.writes()).containsExactly(read);
    }

    @Test
    void binaryFormatColumnsAreToldAsBinary() {
        // RowDescription of one int4 column "n" in format 1 (binary), then a DataRow of 4 bytes.
        Buffer message = Buffer.buffer(GoldenHex.parse("54 0000001a 0001  6e 00 00000000 0000 00000017 0004 ffffffff 0001"
                + "  44 0000000e 0001 00000004 0000002a"));
        List<ResultColumn> told = new ArrayList<>();
        List<Buffer> values = new ArrayList<>();
        relay.rewriteWith(new ResultRewriter() {
            @Override
            public void columns(List<ResultColumn> columns) {
                told.addAll(columns);
            }

            @Override
            public ResultRow row(ResultRow row) {
                values.add(row.value(0));
                return row;
            }
        });
        serverReads(relay, List.of(message));
        assertThat(told).containsExactly(new ResultColumn("n", 23, ResultColumn.Format.BINARY));
        assertThat(values).hasSize(1);
        assertThat(values.get(0).getInt(0)).isEqualTo(42);
        assertThat(hex(client.received())).isEqualTo(hex(message));
    }

    @Test
    void whatWasGatheredGoesOutBeforeTheServerConnectionIsReportedLost() {
        List<String> events = new ArrayList<>();
        PgResultRelay relay = new PgResultRelay(client, f -> { }, f -> { }, e -> events.add("lost after " + client.received().length));
        PgFrameDecoder decoder = new PgFrameDecoder(Integer.MAX_VALUE);
        decoder.feed(RESULT.copy(), (PgFrame frame) -> PgResultReader.deliver(frame, relay));
        relay.onServerLost(new IllegalStateException("reset"));
        assertThat(events).containsExactly("lost after " + RESULT.length());
    }
}
