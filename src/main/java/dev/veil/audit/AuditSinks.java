package dev.veil.audit;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The writer's sinks, by how they are written: the inline ones (the files) get every record on the appending
 * thread; the others (the control-plane table, stdout) get the lines from a backlog, in batches, on the
 * background thread. A line stays in the backlog until every one of them has it, so a sink lagging behind a
 * failure gets the chain without a gap. The backlog is guarded by the writer's lock; {@link #ship} runs
 * without it, on a batch taken under it. A sink's failure is reported under its name.
 */
final class AuditSinks {
    private final List<AuditSink> inline;
    private final List<AuditSink> shipped;
    private final int maxBatch;
    private final ArrayDeque<AuditLine> backlog = new ArrayDeque<>();

    AuditSinks(List<AuditSink> sinks, int maxBatch) {
        this.inline = sinks.stream().filter(AuditSink::inline).toList();
        this.shipped = sinks.stream().filter(s -> !s.inline()).toList();
        this.maxBatch = maxBatch;
    }

    List<AuditSink> inline() {
        return inline;
    }

    List<AuditSink> all() {
        List<AuditSink> all = new ArrayList<>(inline);
        all.addAll(shipped);
        return all;
    }

    /** True when some sink is fed by the background thread, so an append alone stores nothing everywhere. */
    boolean shipsInBackground() {
        return !shipped.isEmpty();
    }

    /** Writes sealed lines to the inline sinks, in one write each. */
    void writeInline(List<AuditLine> lines) throws IOException {
        for (AuditSink s : inline) {
            ship(s, lines);
        }
    }

    /** A line just appended, kept for the background sinks (when there are any). */
    void keep(AuditLine line) {
        if (!shipped.isEmpty()) {
            backlog.add(line);
        }
    }

    int backlogSize() {
        return backlog.size();
    }

    /** The oldest lines of the backlog, at most max-batch of them, copied so they can be shipped without the lock. */
    List<AuditLine> nextBatch() {
        List<AuditLine> batch = new ArrayList<>(Math.min(backlog.size(), maxBatch));
        for (AuditLine l : backlog) {
            if (batch.size() == maxBatch) {
                break;
            }
            batch.add(l);
        }
        return batch;
    }

    /** Gives a batch from {@link #nextBatch} to every background sink. */
    void ship(List<AuditLine> batch) throws IOException {
        for (AuditSink s : shipped) {
            if (!batch.isEmpty()) {
                ship(s, batch);
            }
        }
    }

    /** The batch {@link #nextBatch} returned is in every background sink: out of the backlog. */
    void shipped(List<AuditLine> batch) {
        for (int i = 0; i < batch.size(); i++) {
            backlog.poll();
        }
    }

    /** Gives the whole backlog to every background sink and empties it (lock held: a rotation). */
    void shipBacklog() throws IOException {
        for (AuditSink b : shipped) {
            ship(b, List.copyOf(backlog));
        }
        backlog.clear();
    }

    /** Fsyncs the inline sinks. */
    void syncInline() throws IOException {
        for (AuditSink s : inline) {
            try {
                s.sync();
            } catch (IOException | RuntimeException e) {
                throw new IOException(s.name() + ": " + e.getMessage(), e);
            }
        }
    }

    static void ship(AuditSink s, List<AuditLine> batch) throws IOException {
        try {
            s.write(batch);
        } catch (IOException | RuntimeException e) {
            throw new IOException(s.name() + ": " + e.getMessage(), e);
        }
    }

    void close() {
        all().forEach(AuditSink::close);
    }
}
