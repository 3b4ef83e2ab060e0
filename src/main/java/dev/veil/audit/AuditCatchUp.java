package dev.veil.audit;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * At start, a sink behind the others (the table, when Veil crashed with lines still queued for it) gets the
 * lines it missed from a sink that can read them back (the files), in batches, before anything new is
 * written; so its chain has no gap. When none can, the gap stays and is logged (verify shows it).
 */
final class AuditCatchUp {
    private static final Logger LOG = Logger.getLogger(AuditCatchUp.class);

    private final AuditCodec codec;
    private final List<AuditSink> sources;
    private final int maxBatch;
    private final List<AuditLine> batch = new ArrayList<>();
    private long given;
    private IOException failed;

    private AuditCatchUp(AuditCodec codec, List<AuditSink> sources, int maxBatch) {
        this.codec = codec;
        this.sources = sources;
        this.maxBatch = maxBatch;
    }

    /**
     * Opens the sinks and gives each one behind the latest the lines it missed, read back from one of
     * {@code sources}. Returns the latest head, the record the chain continues from (none for new sinks).
     */
    static Optional<AuditSink.Head> open(List<AuditSink> sinks, AuditCodec codec, List<AuditSink> sources, int maxBatch)
            throws IOException {
        Optional<AuditSink.Head> latest = Optional.empty();
        Map<AuditSink, AuditSink.Head> heads = new LinkedHashMap<>();
        for (AuditSink s : sinks) {
            Optional<AuditSink.Head> h = s.open();
            h.ifPresent(head -> heads.put(s, head));
            if (h.isPresent() && (latest.isEmpty() || h.get().seq() > latest.get().seq())) {
                latest = h;
            }
        }
        for (var e : heads.entrySet()) {
            if (e.getValue().seq() < latest.get().seq()) {
                new AuditCatchUp(codec, sources, maxBatch).give(e.getKey(), e.getValue(), latest.get());
            }
        }
        return latest;
    }

    private void give(AuditSink behind, AuditSink.Head its, AuditSink.Head latest) throws IOException {
        boolean readable = false;
        for (AuditSink source : sources) {
            if (source == behind) {
                continue;
            }
            readable = source.readBack(its.seq(), text -> {
                if (failed == null && FileAuditSink.seqOf(text) <= latest.seq()) {
                    batch.add(lineOf(text));
                    if (batch.size() == maxBatch) {
                        flush(behind);
                    }
                }
            });
            if (readable) {
                break;
            }
        }
        if (failed == null && !batch.isEmpty()) {
            flush(behind);
        }
        if (failed != null) {
            throw failed;
        }
        if (readable && its.seq() + given == latest.seq()) {
            LOG.infof("audit: %s was behind (seq %d, %s has %d); gave it the %d records it missed", behind.name(),
                    its.seq(), latest.where(), latest.seq(), given);
        } else {
            LOG.warnf("audit sinks disagree on the last record: %s has seq %d, %s seq %d; continuing from the later (%d records could not be given to it)",
                    behind.name(), its.seq(), latest.where(), latest.seq(), latest.seq() - its.seq() - given);
        }
    }

    private void flush(AuditSink to) {
        try {
            AuditSinks.ship(to, batch);
            given += batch.size();
            batch.clear();
        } catch (IOException e) {
            failed = e;
        }
    }

    /** A stored line as the sinks take it (its search fields from its own JSON). */
    private AuditLine lineOf(String text) {
        AuditCodec.Parsed p = codec.parse(text);
        AuditEvent e = codec.event(p.json());
        return AuditLine.ofText(p.seq(), p.json().path("type").asText(), e.time(), e.identityName(), p.hash(), text);
    }
}
