package dev.veil.frontend;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Output held for the audit, over a real loopback connection: nothing leaks early, order holds, a failure drops it. */
@Tag("servers")
class HeldOutputTest {
    private final Vertx vertx = Vertx.vertx();
    private NetServer server;
    private Socket client;
    private NetSocket serverSide;
    private HeldOutput out;
    private final List<Throwable> failures = new ArrayList<>();

    @BeforeEach
    void connect() throws Exception {
        CompletableFuture<NetSocket> accepted = new CompletableFuture<>();
        server = vertx.createNetServer().connectHandler(accepted::complete);
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        client = new Socket("127.0.0.1", port);
        client.setSoTimeout(300);
        serverSide = accepted.get(10, TimeUnit.SECONDS);
        out = new HeldOutput(serverSide, () -> null);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void heldAnswersArriveOnlyOnceDurableAndInOrder() throws Exception {
        Promise<Void> first = Promise.promise();
        Promise<Void> second = Promise.promise();
        onLoop(() -> {
            out.write(Buffer.buffer("a"));
            out.holdUntil(first.future(), failures::add);
            out.write(Buffer.buffer("b"));
            out.holdUntil(second.future(), failures::add);
            out.write(Buffer.buffer("c"));
        });
        assertThat(read()).isEqualTo("a");
        onLoop(first::complete);
        assertThat(read()).as("still held: a later record is not durable yet").isEmpty();
        onLoop(() -> {
            second.complete();
            out.write(Buffer.buffer("d"));
        });
        assertThat(read()).isEqualTo("bcd");
        assertThat(failures).isEmpty();
    }

    @Test
    void anAnswerWhoseRecordFailsIsNeverSent() throws Exception {
        Promise<Void> first = Promise.promise();
        Promise<Void> second = Promise.promise();
        onLoop(() -> {
            out.holdUntil(first.future(), failures::add);
            out.write(Buffer.buffer("secret rows"));
            out.holdUntil(second.future(), failures::add);
            out.write(Buffer.buffer("more rows"));
        });
        onLoop(() -> first.fail(new java.io.IOException("disk on fire")));
        onLoop(second::complete);
        assertThat(read()).isEmpty();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).hasMessage("disk on fire");
    }

    /** Runs on an event loop, one task at a time, as a connection's own loop would. */
    private void onLoop(Runnable r) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            r.run();
            done.complete(null);
        });
        done.get(10, TimeUnit.SECONDS);
    }

    /** What arrives within a moment (empty when nothing does). */
    private String read() throws Exception {
        InputStream in = client.getInputStream();
        StringBuilder sb = new StringBuilder();
        byte[] b = new byte[256];
        try {
            while (true) {
                int n = in.read(b);
                if (n < 0) {
                    break;
                }
                sb.append(new String(b, 0, n, StandardCharsets.UTF_8));
            }
        } catch (java.net.SocketTimeoutException quiet) {
            // nothing more for now
        }
        return sb.toString();
    }
}
