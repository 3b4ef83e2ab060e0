package dev.veil.audit;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where sealed records go. Every method is called from the audit writer thread only, so sinks may block
 * (fsync, a round trip to the control-plane database) and need no locking.
 */
public interface AuditSink extends AutoCloseable {
    /** The seq and hash of the last record a sink already holds, so the chain can continue after a restart. */
    record Head(long seq, String hash, String where) {
    }

    String name();

    /** Prepares the sink and returns the last record it holds, if any. */
    Optional<Head> open() throws IOException;

    /**
     * Stores a batch. With {@code sync}, returns only once everything stored so far is as durable as the sink
     * can make it; without, the batch may wait for the next synced one (nobody waits for it).
     */
    void write(List<AuditLine> batch, boolean sync) throws IOException;

    /** Removes a batch this sink stored when another sink failed to store it (best effort). */
    default void undo(List<AuditLine> batch) {
    }

    /** True when the sink wants to start a new segment (file rotation) before the next batch. */
    default boolean rotationDue() {
        return false;
    }

    /** The name of the segment the next {@link #rotate()} will start, for the closing checkpoint. */
    default String nextSegmentName() {
        return null;
    }

    /** The name of the current segment (a file name), for checkpoints. */
    default String segmentName() {
        return null;
    }

    default void rotate() throws IOException {
    }

    @Override
    void close();
}
