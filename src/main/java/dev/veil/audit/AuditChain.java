package dev.veil.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the chain stands: the last record's seq and hash, and what the next checkpoint must say. Sealing
 * gives records their place in it and adds the checkpoints a count makes due. Not thread-safe: the
 * writer's lock guards it.
 */
final class AuditChain {
    /** A position to go back to when the records sealed after it could not be stored. */
    record Mark(long seq, String head, long sinceCheckpoint, Long lastCheckpoint, Instant lastCheckpointAt) {
    }

    private final AuditCodec codec;
    private final Clock clock;
    private final long checkpointEvery;
    private final Duration checkpointInterval;
    private long seq;
    private String head = AuditCodec.GENESIS;
    private long sinceCheckpoint;
    private Long lastCheckpoint;
    private Instant lastCheckpointAt;

    AuditChain(AuditCodec codec, Clock clock, long checkpointEvery, Duration checkpointInterval) {
        this.codec = codec;
        this.clock = clock;
        this.checkpointEvery = checkpointEvery;
        this.checkpointInterval = checkpointInterval;
        this.lastCheckpointAt = clock.instant();
    }

    /** Continues the chain a sink already holds. */
    void continueFrom(long lastSeq, String lastHash) {
        seq = lastSeq;
        head = lastHash;
    }

    long seq() {
        return seq;
    }

    /** Seals events in order; after every checkpoint-every records a checkpoint follows. */
    List<AuditLine> seal(List<AuditCodec.Serialised> events) {
        List<AuditLine> lines = new ArrayList<>(events.size() + 1);
        for (AuditCodec.Serialised e : events) {
            seal(e, lines);
            if (sinceCheckpoint >= checkpointEvery) {
                seal(codec.serialise(checkpoint("periodic", null, null)), lines);
            }
        }
        return lines;
    }

    private void seal(AuditCodec.Serialised e, List<AuditLine> lines) {
        AuditLine line = codec.seal(seq + 1, e, head);
        seq = line.seq();
        head = line.hash();
        lines.add(line);
        if (e.event() instanceof AuditEvent.Checkpoint) {
            sinceCheckpoint = 0;
            lastCheckpoint = seq;
            lastCheckpointAt = e.event().time();
        } else {
            sinceCheckpoint++;
        }
    }

    /** A checkpoint to seal next: how many records since the previous one, and its seq. */
    AuditEvent.Checkpoint checkpoint(String reason, String nextFile, String previousFile) {
        return new AuditEvent.Checkpoint(clock.instant(), reason, sinceCheckpoint, lastCheckpoint, nextFile, previousFile);
    }

    /** True when records were sealed and checkpoint-interval has passed since the last checkpoint. */
    boolean checkpointDue() {
        return sinceCheckpoint > 0 && !clock.instant().isBefore(lastCheckpointAt.plus(checkpointInterval));
    }

    Mark mark() {
        return new Mark(seq, head, sinceCheckpoint, lastCheckpoint, lastCheckpointAt);
    }

    void reset(Mark m) {
        seq = m.seq();
        head = m.head();
        sinceCheckpoint = m.sinceCheckpoint();
        lastCheckpoint = m.lastCheckpoint();
        lastCheckpointAt = m.lastCheckpointAt();
    }
}
