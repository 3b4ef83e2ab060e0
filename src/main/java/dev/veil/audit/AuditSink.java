package dev.veil.audit;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where sealed records go. The writer calls a sink from one thread at a time, except {@link #sync()}, which
 * its background thread may call while another thread writes. Inline sinks ({@link #inline()}) are written
 * on the appending thread, one record at a time, and must not block for long (a write into the page
 * cache); the others are written in batches by the background thread and may block (a round trip to the
 * control-plane database).
 */
public interface AuditSink extends AutoCloseable {
    /** The seq and hash of the last record a sink already holds, so the chain can continue after a restart. */
    record Head(long seq, String hash, String where) {
    }

    String name();

    /** Prepares the sink and returns the last record it holds, if any. */
    Optional<Head> open() throws IOException;

    /** True for sinks written on the appending thread (files); false for those the background thread feeds. */
    default boolean inline() {
        return false;
    }

    /**
     * Stores records. An inline sink leaves nothing of a failed write behind; a background sink returns once
     * the batch is stored as durably as it can be.
     */
    void write(List<AuditLine> batch) throws IOException;

    /**
     * Hands the stored lines with a seq above {@code afterSeq} to {@code out}, in chain order, so that a sink
     * which fell behind (its records were in memory when Veil crashed) can be given them at the next start.
     * False when this sink cannot read its records back.
     */
    default boolean readBack(long afterSeq, Consumer<String> out) throws IOException {
        return false;
    }

    /** Makes everything written so far durable (fsync); called only in durability fsync. */
    default void sync() throws IOException {
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
