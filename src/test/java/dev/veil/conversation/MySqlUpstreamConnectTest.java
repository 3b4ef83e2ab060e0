package dev.veil.conversation;

import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.Command;
import dev.veil.protocol.mysql.Packets;
import dev.veil.protocol.mysql.PayloadWriter;
import dev.veil.protocol.mysql.ResponseTracker;
import dev.veil.upstream.MySqlProfile;
import dev.veil.upstream.MySqlServerConnection;
import dev.veil.upstream.ResultListener;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A MySQL server speaks first: its greeting can arrive the moment the connection is up, and a socket drops what
 * it reads before it has a handler. At start-up Veil connects to each MySQL upstream from a thread that is no
 * event loop (to learn its greeting before the MySQL port opens). That socket was opened on the calling thread's
 * context and got its handler only when that thread came back to it: when the loop read the greeting first, the
 * handshake waited forever and the MySQL listener never opened (about one in ten in-process starts, before the
 * fix). A connection asked for an event loop is now opened on that loop, in one turn with its handler.
 */
class MySqlUpstreamConnectTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        InProcessVeil.await(vertx.close());
    }

    @Test
    void aConnectionForAnEventLoopIsServedOnThatLoopWhicheverThreadAsksForIt() throws Exception {
        // Started from the test's thread: that thread now has a context of its own, on one event loop.
        try (ScriptedUpstream server = new ScriptedMySqlServer(vertx).start()) {
            UpstreamRegistry upstreams = InProcessVeil.upstreamsOnly(vertx, server);
            UpstreamSettings upstream = upstreams.find(server.name()).orElseThrow();
            Context loop = contextOfAnotherThread();
            Thread loopThread = onContext(loop, Thread::currentThread);
            assertThat(loopThread).as("precondition: the test thread's context is on another loop")
                    .isNotSameAs(onContext(vertx.getOrCreateContext(), Thread::currentThread));

            MySqlServerConnection c = InProcessVeil.await(upstreams.connectMySql(upstream, null,
                    new MySqlProfile(Capabilities.RESPONSE_SHAPING, MySqlMessages.CHARSET), loop));

            assertThat(c.handshake().serverVersion()).isEqualTo("8.0.36-scripted");
            CompletableFuture<Thread> readOn = new CompletableFuture<>();
            loop.runOnContext(v -> {
                c.attach(new ReadWatcher(readOn));
                c.send(Packets.frame(0, new PayloadWriter().int1(Command.COM_PING).payload()), Command.COM_PING,
                        ResponseTracker.Shape.SINGLE);
            });
            assertThat(readOn.get(5, TimeUnit.SECONDS)).as("the thread the server's answer was read on").isSameAs(loopThread);
            loop.runOnContext(v -> c.close());
        }
    }

    private Context contextOfAnotherThread() throws Exception {
        CompletableFuture<Context> context = new CompletableFuture<>();
        Thread t = new Thread(() -> context.complete(vertx.getOrCreateContext()));
        t.start();
        return context.get(5, TimeUnit.SECONDS);
    }

    private static <T> T onContext(Context context, Supplier<T> what) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> result.complete(what.get()));
        return result.get(5, TimeUnit.SECONDS);
    }

    /** Notes the thread of the first read the connection hands over. */
    private record ReadWatcher(CompletableFuture<Thread> readOn) implements ResultListener {
        @Override
        public void onColumns(Buffer buf, int start, int end) {
        }

        @Override
        public void onRow(Buffer buf, int start, int end) {
        }

        @Override
        public void onResultEnd(Buffer buf, int start, int end, boolean error) {
        }

        @Override
        public void onPassThrough(Buffer buf, int start, int end) {
        }

        @Override
        public void onReadComplete() {
            readOn.complete(Thread.currentThread());
        }

        @Override
        public void onServerLost(Throwable cause) {
            readOn.completeExceptionally(cause);
        }
    }
}
