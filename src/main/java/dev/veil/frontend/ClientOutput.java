package dev.veil.frontend;

import io.vertx.core.buffer.Buffer;

/** Where a client connection's answers go: the relays write through it, in order. */
public interface ClientOutput {
    void write(Buffer bytes);

    /** After one read from the server: when the client cannot take more for now, the server waits until it can. */
    void afterServerRead();
}
