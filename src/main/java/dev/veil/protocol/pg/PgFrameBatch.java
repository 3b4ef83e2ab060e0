package dev.veil.protocol.pg;

import dev.veil.protocol.SliceBatch;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Gathers consecutive frames of one buffer into a single slice, so a pipelined Parse/Bind/Execute/Sync
 * or a run of DataRows leaves as one write (one syscall) instead of one per frame.
 */
public final class PgFrameBatch {
    private final SliceBatch batch = new SliceBatch();

    public void add(PgFrame frame, Consumer<Buffer> out) {
        batch.add(frame.source(), frame.start(), frame.end(), out);
    }

    public void flush(Consumer<Buffer> out) {
        batch.flush(out);
    }
}
