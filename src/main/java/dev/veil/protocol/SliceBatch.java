package dev.veil.protocol;

import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * Gathers consecutive windows of one buffer (whole messages as they arrived) into a single write: a run of
 * rows leaves as one slice (one syscall) instead of one per message, and a read made only of whole messages
 * leaves as the very buffer it arrived in. Nothing is copied.
 */
public final class SliceBatch {
    private Buffer source;
    private int start;
    private int end;

    /** Adds {@code buf[start, end)}; what was gathered from another buffer, or not adjacent, goes out first. */
    public void add(Buffer buf, int start, int end, Consumer<Buffer> out) {
        if (source == buf && start == this.end) {
            this.end = end;
            return;
        }
        flush(out);
        source = buf;
        this.start = start;
        this.end = end;
    }

    public void flush(Consumer<Buffer> out) {
        if (source != null) {
            Buffer whole = source;
            source = null;
            out.accept(start == 0 && end == whole.length() ? whole : whole.slice(start, end));
        }
    }
}
