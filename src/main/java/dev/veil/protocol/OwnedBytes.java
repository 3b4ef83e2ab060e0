package dev.veil.protocol;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * A byte array an encoder made and hands over, as a Vert.x buffer without a copy. {@code Buffer.buffer(byte[])}
 * copies the array into a Netty buffer it allocates (Vert.x 4): on a path that encodes every row of a result,
 * that doubled the bytes written and the garbage made. The array must not change after it is wrapped.
 */
public final class OwnedBytes {
    private OwnedBytes() {
    }

    public static Buffer wrap(byte[] bytes) {
        return Buffer.buffer(Unpooled.wrappedBuffer(bytes));
    }
}
