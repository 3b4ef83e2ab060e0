package dev.veil.frontend.mysql;

import dev.veil.protocol.mysql.BinaryRow;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.ColumnDefinition;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.PayloadWriter;
import dev.veil.protocol.mysql.ResponseTracker.Shape;
import dev.veil.protocol.mysql.TextRow;
import dev.veil.rewrite.ResultColumn;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.testing.ColumnRewriter;
import dev.veil.testing.MariaDbServer;
import dev.veil.testing.RelayCapture;
import dev.veil.testing.VeilTestResource;
import dev.veil.upstream.MySqlProfile;
import dev.veil.upstream.MySqlServerConnection;
import dev.veil.upstream.UpstreamRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MySQL result relay on a real server connection: an upstream connection to the test MariaDB answers a
 * COM_QUERY (text rows) and a prepared statement's COM_STMT_EXECUTE (binary rows); the packets pass the
 * relay on their way to a recorded client.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MySqlResultRelayServerTest {
    private static final String QUERY = "SELECT 1 AS id, 'alice' AS name UNION ALL SELECT 2, NULL UNION ALL SELECT 10, 'bob'";
    private static final MySqlProfile PROFILE = new MySqlProfile(
            Capabilities.MULTI_RESULTS | Capabilities.PS_MULTI_RESULTS | Capabilities.DEPRECATE_EOF, 45);

    @Inject
    UpstreamRegistry upstreams;

    @Inject
    Vertx vertx;

    /** The text answer and the binary answer the client got, each relayed with {@code rewriter}. */
    private List<RelayCapture> run(ResultRewriter rewriter) throws Exception {
        return run(rewriter, PROFILE, QUERY);
    }

    private List<RelayCapture> run(ResultRewriter rewriter, MySqlProfile profile, String query) throws Exception {
        CompletableFuture<List<RelayCapture>> done = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        boolean extended = profile.mariaDbCapabilities() != 0;
        loop.runOnContext(v -> upstreams.connectMySql(upstreams.find("my").orElseThrow(), MariaDbServer.DATABASE, profile, loop)
                .compose(server -> command(loop, server, rewriter, payload(Command.COM_QUERY, query), Shape.RESULT, extended)
                        .compose(text -> command(loop, server, rewriter, payload(Command.COM_STMT_PREPARE, query), Shape.PREPARE, extended)
                                .compose(prepared -> command(loop, server, rewriter, execute(server.tracker().lastPreparedStatementId()),
                                        Shape.RESULT, extended))
                                .map(binary -> List.of(text, binary)))
                        .onComplete(ar -> server.close()))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        done.complete(ar.result());
                    } else {
                        done.completeExceptionally(ar.cause());
                    }
                }));
        return done.get(30, TimeUnit.SECONDS);
    }

    /** Sends one command through a fresh relay; completes once its whole answer reached the client. */
    private static Future<RelayCapture> command(Context loop, MySqlServerConnection server, ResultRewriter rewriter,
                                                Buffer payload, Shape shape, boolean extendedMetadata) {
        Promise<RelayCapture> answered = Promise.promise();
        RelayCapture client = new RelayCapture();
        MySqlResultRelay relay = new MySqlResultRelay(client, server::binaryRows,
                (error, rows) -> loop.runOnContext(x -> answered.tryComplete(client)), answered::tryFail, extendedMetadata, () -> null);
        relay.rewriteWith(rewriter);
        server.attach(client.watching(relay));
        server.send(Packets.frame(0, payload), payload.getUnsignedByte(0), shape);
        return answered.future();
    }

    private static Buffer payload(int command, String sql) {
        return new PayloadWriter().int1(command).string(sql).payload();
    }

    /** COM_STMT_EXECUTE without parameters: statement id, no cursor, iteration count 1. */
    private static Buffer execute(long statementId) {
        return new PayloadWriter().int1(Command.COM_STMT_EXECUTE).int4(statementId).int1(0).int4(1).payload();
    }

    /** The rows of a resultset answer under DEPRECATE_EOF (count, definitions, rows, OK), values as text. */
    private static List<List<String>> rows(RelayCapture client, boolean binary) {
        return rows(client, binary, false);
    }

    private static List<List<String>> rows(RelayCapture client, boolean binary, boolean extendedMetadata) {
        List<Buffer> packets = new ArrayList<>();
        new PacketDecoder().feed(Buffer.buffer(client.received()), (seq, buf, off, len) -> packets.add(buf.getBuffer(off, off + len)));
        int columns = packets.get(0).getUnsignedByte(0);
        int[] types = packets.subList(1, 1 + columns).stream()
                .mapToInt(p -> ColumnDefinition.decode(p, 0, p.length(), extendedMetadata).type()).toArray();
        List<List<String>> rows = new ArrayList<>();
        for (Buffer row : packets.subList(1 + columns, packets.size() - 1)) {
            Buffer[] values = binary ? BinaryRow.values(row, 0, row.length(), types) : TextRow.values(row, 0, row.length());
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                texts.add(values[i] == null ? null : binary ? binaryText(values[i], types[i]) : values[i].toString());
            }
            rows.add(texts);
        }
        assertThat((int) packets.get(packets.size() - 1).getUnsignedByte(0)).as("the answer ends with an OK").isEqualTo(0xFE);
        return rows;
    }

    /** A binary protocol value as text: integers by their size, strings as they are. */
    private static String binaryText(Buffer value, int type) {
        return switch (type) {
            case 0x01 -> String.valueOf(value.getByte(0));
            case 0x02 -> String.valueOf(value.getShortLE(0));
            case 0x03, 0x09 -> String.valueOf(value.getIntLE(0));
            case 0x08 -> String.valueOf(value.getLongLE(0));
            default -> value.toString();
        };
    }

    @Test
    void withoutARewriterTheServersTextAndBinaryRowsArriveUncopied() throws Exception {
        List<RelayCapture> answers = run(ResultRewriter.NONE);
        assertThat(rows(answers.get(0), false)).containsExactly(List.of("1", "alice"), Arrays.asList("2", null), List.of("10", "bob"));
        assertThat(rows(answers.get(1), true)).containsExactly(List.of("1", "alice"), Arrays.asList("2", null), List.of("10", "bob"));
        answers.forEach(RelayCapture::assertNothingCopied);
    }

    @Test
    void aRewriterChangesOneColumnOfTheServersTextAndBinaryRows() throws Exception {
        ColumnRewriter rewriter = new ColumnRewriter("name", Buffer.buffer("***"));
        List<RelayCapture> answers = run(rewriter);
        assertThat(rows(answers.get(0), false)).containsExactly(List.of("1", "***"), Arrays.asList("2", null), List.of("10", "***"));
        assertThat(rows(answers.get(1), true)).containsExactly(List.of("1", "***"), Arrays.asList("2", null), List.of("10", "***"));
        assertThat(rewriter.columns()).hasSize(2);
        assertThat(rewriter.columns().get(0)).extracting(c -> c.name() + ":" + c.format()).containsExactly("id:TEXT", "name:TEXT");
        assertThat(rewriter.columns().get(1)).extracting(c -> c.name() + ":" + c.format()).containsExactly("id:BINARY", "name:BINARY");
        assertThat(rewriter.completions()).containsExactly(false, false);
    }

    @Test
    void withMariaDbExtendedMetadataTheRewriterIsToldTheJsonFormatAndRowsStillDecode() throws Exception {
        MySqlProfile extended = new MySqlProfile(PROFILE.capabilities(), Capabilities.MARIADB_EXTENDED_METADATA, 45);
        ColumnRewriter rewriter = new ColumnRewriter("name", Buffer.buffer("***"));
        String query = "SELECT 7 AS id, JSON_OBJECT('k', 'v') AS doc, 'carol' AS name";
        List<RelayCapture> answers = run(rewriter, extended, query);
        assertThat(rewriter.columns()).hasSize(2);
        for (List<ResultColumn> columns : rewriter.columns()) {
            assertThat(columns).extracting(c -> c.name() + ":" + c.typeName()).containsExactly("id:null", "doc:json", "name:null");
        }
        assertThat(rows(answers.get(0), false, true)).containsExactly(List.of("7", "{\"k\": \"v\"}", "***"));
        assertThat(rows(answers.get(1), true, true)).containsExactly(List.of("7", "{\"k\": \"v\"}", "***"));
    }
}
