package dev.veil.frontend;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import dev.veil.upstream.ServerConnection;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a client connection sends, held back while a statement that went upstream ahead of its audit fsync
 * (veil.audit.reads-durable-before=reply) is not durable yet. Everything for the client passes here, so
 * held output keeps its order; audit records become durable in order, so holding while any is pending
 * keeps every answer behind its own record. Confined to the connection's event loop.
 */
public final class HeldOutput implements ClientOutput {
    /** Held bytes beyond which the server is paused (a large result behind a slow fsync). */
    private static final int BYTES_BEFORE_PAUSE = 1 << 20;

    private final NetSocket socket;
    /** The connection's current server connection (null between sessions), paused while much is held. */
    private final Supplier<? extends ServerConnection> server;
    private Buffer held;
    private int pending;
    private boolean serverPaused;
    private boolean dropped;
    /** The connection's last words (a fatal error), sent once what is held before them is released; then it closes. */
    private Buffer last;
    private boolean ended;

    public HeldOutput(NetSocket socket, Supplier<? extends ServerConnection> server) {
        this.socket = socket;
        this.server = server;
    }

    @Override
    public void write(Buffer bytes) {
        if (last != null || ended) {
            return; // the connection is ending
        }
        if (held == null) {
            socket.write(bytes);
            return;
        }
        held.appendBuffer(bytes);
        if (held.length() > BYTES_BEFORE_PAUSE && !serverPaused) {
            serverPaused = true;
            ServerConnection s = server.get();
            if (s != null) {
                s.pause();
            }
        }
    }

    @Override
    public void afterServerRead() {
        ServerConnection s = server.get();
        if (s != null && socket.writeQueueFull()) {
            s.pause();
            socket.drainHandler(v -> s.resume());
        }
    }

    /** Sends {@code bytes} after what is held (or dropped) before them, then closes the connection. */
    public void end(Buffer bytes) {
        if (held == null) {
            ended(bytes);
        } else if (last == null) {
            last = bytes;
        }
    }

    private void ended(Buffer bytes) {
        if (!ended) {
            ended = true;
            socket.end(bytes);
        }
    }

    /**
     * Holds what is written from now on until {@code durable} completes (and every earlier one). When it
     * fails, what was held is dropped for good (it must never reach the client) and {@code failed} is told,
     * once, so the connection can end the session.
     */
    public void holdUntil(Future<Void> durable, Consumer<Throwable> failed) {
        if (pending++ == 0) {
            held = Buffer.buffer();
        }
        durable.onComplete(ar -> {
            pending--;
            if (ar.failed()) {
                held = null;
                if (!dropped) {
                    dropped = true;
                    failed.accept(ar.cause());
                }
                if (last != null) {
                    ended(last);
                }
            } else if (pending == 0 && !dropped) {
                release();
            }
        });
    }

    private void release() {
        Buffer out = held;
        held = null;
        if (last != null) {
            ended(out == null ? last : out.appendBuffer(last));
        } else if (out != null && out.length() > 0) {
            socket.write(out);
        }
        if (serverPaused) {
            serverPaused = false;
            ServerConnection s = server.get();
            if (s != null) {
                s.resume();
            }
        }
    }
}
