package dev.veil.frontend.pg;

import dev.veil.protocol.pg.DataRow;
import dev.veil.protocol.pg.FrontendMessage;
import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.PgFrameDecoder;
import dev.veil.rewrite.ResultRewriter;
import dev.veil.testing.ColumnRewriter;
import dev.veil.testing.RelayCapture;
import dev.veil.testing.VeilTestResource;
import dev.veil.upstream.PgServerConnection;
import dev.veil.upstream.UpstreamPool;
import dev.veil.upstream.UpstreamRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
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
 * The PostgreSQL result relay on a real server connection: a leased PgServerConnection to the test server
 * answers a query, its frames pass the relay on their way to a recorded client.
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class PgResultRelayServerTest {
    private static final String QUERY = "SELECT * FROM (VALUES (1, 'alice'), (2, NULL), (10, 'bob')) AS customers(id, name)";

    @Inject
    UpstreamRegistry upstreams;

    @Inject
    Vertx vertx;

    /** What the client got for {@link #QUERY}, relayed with {@code rewriter}. */
    private RelayCapture run(ResultRewriter rewriter) throws Exception {
        RelayCapture client = new RelayCapture();
        CompletableFuture<RelayCapture> done = new CompletableFuture<>();
        Context loop = vertx.getOrCreateContext();
        loop.runOnContext(v -> {
            UpstreamPool<PgServerConnection> pool = upstreams.pool(upstreams.find("main").orElseThrow(), "shop");
            pool.acquire().onFailure(done::completeExceptionally).onSuccess(server -> {
                PgResultRelay relay = new PgResultRelay(client, f -> { }, f -> {
                    if (f.type() == 'Z') {
                        // After this read has been flushed to the client.
                        loop.runOnContext(x -> {
                            server.detach();
                            pool.release(server);
                            done.complete(client);
                        });
                    }
                }, done::completeExceptionally);
                relay.rewriteWith(rewriter);
                server.attach(client.watching(relay));
                PgFrame query = PgFrame.of(new FrontendMessage.Query(QUERY).encode());
                server.noteSent(query);
                server.write(query.bytes());
            });
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    /** Each DataRow the client received, its values as text (null for NULL), and the message types in order. */
    private static List<List<String>> rows(RelayCapture client, StringBuilder types) {
        List<List<String>> rows = new ArrayList<>();
        new PgFrameDecoder(Integer.MAX_VALUE).feed(Buffer.buffer(client.received()), f -> {
            types.append(f.typeChar());
            if (f.type() == 'D') {
                rows.add(Arrays.stream(DataRow.values(f)).map(b -> b == null ? null : b.toString()).toList());
            }
        });
        return rows;
    }

    @Test
    void withoutARewriterTheServersRowsArriveUncopied() throws Exception {
        RelayCapture client = run(ResultRewriter.NONE);
        StringBuilder types = new StringBuilder();
        assertThat(rows(client, types)).containsExactly(List.of("1", "alice"), Arrays.asList("2", null), List.of("10", "bob"));
        assertThat(types).hasToString("TDDDCZ");
        client.assertNothingCopied();
    }

    @Test
    void aRewriterChangesOneColumnOfTheServersTextRows() throws Exception {
        ColumnRewriter rewriter = new ColumnRewriter("name", Buffer.buffer("***"));
        RelayCapture client = run(rewriter);
        StringBuilder types = new StringBuilder();
        assertThat(rows(client, types)).containsExactly(List.of("1", "***"), Arrays.asList("2", null), List.of("10", "***"));
        assertThat(types).hasToString("TDDDCZ");
        assertThat(rewriter.columns()).hasSize(1);
        assertThat(rewriter.columns().get(0)).extracting(c -> c.name() + ":" + c.typeId() + ":" + c.format())
                .containsExactly("id:23:TEXT", "name:25:TEXT");
        assertThat(rewriter.completions()).containsExactly(false);
    }
}
