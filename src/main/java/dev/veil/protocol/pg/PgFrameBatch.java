package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Gathers consecutive frames of one buffer into a single slice, so a pipelined Parse/Bind/Execute/Sync
 * or a run of DataRows leaves as one write (one syscall) instead of one per frame.
 */
public final class PgFrameBatch {
    private Buffer source;
    private int start;
    private int end;

    public void add(PgFrame frame, Consumer<Buffer> out) {
        if (source == frame.source() && frame.start() == end) {
            end = frame.end();
            return;
        }
        flush(out);
        source = frame.source();
        start = frame.start();
        end = frame.end();
    }

    public void flush(Consumer<Buffer> out) {
        if (source != null) {
            Buffer slice = source.slice(start, end);
            source = null;
            out.accept(slice);
        }
    }
}
