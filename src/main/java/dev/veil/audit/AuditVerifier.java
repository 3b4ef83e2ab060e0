package dev.veil.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks an audit source (a directory of files, or one stream of the audit table): every record's own hash
 * over the exact bytes stored (a line must be its record and nothing else: a carriage return, a space or a
 * byte that is not UTF-8 is an edit),
 * the chain from one record to the next (across files), sequence numbers without gaps, duplicates or
 * reversals, complete final lines, optional anchors (seq:hash pairs copied from checkpoint log lines) that
 * must still be in the chain, and for a table that each row's search columns agree with the line it holds.
 * Each finding says where: file and line, or stream and the row's seq.
 *
 * <p>What a chain alone cannot show: records cut from the end, or a whole chain rewritten with fresh hashes.
 * Anchors kept outside Veil's disk (or database) catch both up to the anchored record.
 */
public final class AuditVerifier {
    public enum Problem { EDITED, DELETED, INSERTED, REORDERED, TRUNCATED, BROKEN_CHAIN, NOT_A_RECORD, ANCHOR_MISSING, PRUNED, COLUMNS_EDITED }

    /**
     * {@code file} and {@code line}: the segment (file name, or stream) and position (line number, or the
     * row's seq column; 0 for the source as a whole); {@code where} says both to a person.
     */
    public record Finding(Problem problem, String file, long line, String where, String message) {
        @Override
        public String toString() {
            return where + ": " + problem.name().toLowerCase().replace('_', ' ') + ": " + message;
        }
    }

    /** {@code files}: segments read (files; 1 for a table stream). */
    public record Result(long records, long files, long firstSeq, long lastSeq, String lastHash, List<Finding> findings) {
        public boolean ok() {
            return findings.isEmpty();
        }
    }

    /** An anchor: the hash a given record must have. */
    public record Anchor(long seq, String hash) {
        public static Anchor parse(String s) {
            int colon = s.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("an anchor is <seq>:<hash>, got " + s);
            }
            return new Anchor(Long.parseLong(s.substring(0, colon)), s.substring(colon + 1).trim().toLowerCase());
        }
    }

    private final AuditCodec codec = new AuditCodec();

    public Result verify(Path directory, List<Anchor> anchors, boolean allowPruned) throws IOException {
        return verify(new DirectoryAuditSource(directory), anchors, allowPruned);
    }

    public Result verify(AuditSource source, List<Anchor> anchors, boolean allowPruned) throws IOException {
        Walk walk = new Walk(anchors, allowPruned);
        long segments = source.read(AuditQuery.all(), e -> {
            walk.accept(e);
            return true;
        });
        return walk.finish(source.name(), segments);
    }

    /** The state of one pass over a source. */
    private final class Walk {
        private final boolean allowPruned;
        private final List<Finding> findings = new ArrayList<>();
        private final Map<Long, Anchor> wanted = new HashMap<>();
        private final Map<Long, Finding> missing = new HashMap<>();
        // Recently seen records (seq -> where), to tell a copied-in duplicate from a moved record.
        private final Map<Long, String> seen = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > 100_000;
            }
        };
        private long expectedSeq = -1;
        private String expectedPrev;
        private long firstSeq = -1;
        private long records;
        private long maxSeq;
        private String lastHash;
        private String lastSegment;
        // Rows whose search columns disagree with their line: reported once, at the first, with a count.
        private Finding firstColumnsEdited;
        private int columnsEditedAt;
        private long columnsEdited;

        Walk(List<Anchor> anchors, boolean allowPruned) {
            this.allowPruned = allowPruned;
            anchors.forEach(a -> wanted.put(a.seq(), a));
        }

        void accept(AuditSource.Entry e) {
            String file = e.segment();
            long lineNo = e.position();
            if (e.torn()) {
                findings.add(new Finding(Problem.TRUNCATED, file, lineNo, e.where(), "the file ends inside a record (" + e.text().length()
                        + " characters without an end of line): cut short, or torn by a crash during a write"));
                return;
            }
            AuditCodec.Parsed p;
            try {
                p = codec.parse(e.text());
            } catch (IllegalArgumentException notARecord) {
                findings.add(new Finding(Problem.NOT_A_RECORD, file, lineNo, e.where(), notARecord.getMessage()));
                return;
            }
            records++;
            boolean firstInSegment = !file.equals(lastSegment);
            lastSegment = file;
            boolean late = false;
            if (firstSeq < 0) {
                firstSeq = p.seq();
                if (!p.prev().equals(AuditCodec.GENESIS) && !allowPruned) {
                    findings.add(new Finding(Problem.PRUNED, file, lineNo, e.where(), "the chain starts at seq " + p.seq()
                            + ", not at its beginning: earlier records are missing (use --allow-pruned after a deliberate retention cut)"));
                }
            } else if (p.seq() < expectedSeq && missing.containsKey(p.seq())) {
                // Reported as missing earlier, found here: the records were moved, not deleted.
                Finding gap = missing.remove(p.seq());
                int at = findings.indexOf(gap);
                if (at >= 0) {
                    findings.set(at, new Finding(Problem.REORDERED, gap.file(), gap.line(), gap.where(),
                            "record seq " + p.seq() + " belongs before this one but appears at " + e.where()));
                }
                late = true;
            } else if (seen.containsKey(p.seq())) {
                findings.add(new Finding(Problem.INSERTED, file, lineNo, e.where(), "a second record with seq " + p.seq()
                        + " (the first is at " + seen.get(p.seq()) + "): a record was copied in"));
                late = true;
            } else {
                Finding f0 = check(p, e, firstInSegment);
                late = p.seq() < expectedSeq;
                // The gap is noted seq by seq, if it is small. After a record claiming the largest seq, the next one
                // expected wraps to the smallest: the difference overflows, is negative, and is no gap to note.
                long gap = p.seq() - expectedSeq;
                if (f0 != null && f0.problem() == Problem.DELETED && gap > 0 && gap < 10_000) {
                    for (long q = expectedSeq; q < p.seq(); q++) {
                        missing.put(q, f0);
                    }
                }
            }
            if (e.invalidByte() >= 0) {
                findings.add(new Finding(Problem.EDITED, file, lineNo, e.where(), "record seq " + p.seq() + ": byte "
                        + (e.invalidByte() + 1) + " of the line is not UTF-8, so the line is not the bytes Veil wrote"));
            } else if (p.surplus() != null) {
                findings.add(new Finding(Problem.EDITED, file, lineNo, e.where(), "record seq " + p.seq() + ": the line holds "
                        + p.surplus() + ": every byte of a line is Veil's, so the line was changed after it was written"));
            }
            if (!p.valid() && e.invalidByte() < 0) {
                findings.add(new Finding(Problem.EDITED, file, lineNo, e.where(), "record seq " + p.seq()
                        + " does not match its own hash: its content was changed after it was written"));
            }
            if (e.row() != null) {
                checkColumns(e, p);
            }
            Anchor a = wanted.remove(p.seq());
            if (a != null && !a.hash().equals(p.hash())) {
                findings.add(new Finding(Problem.ANCHOR_MISSING, file, lineNo, e.where(), "record seq " + p.seq() + " has hash "
                        + p.hash() + ", the anchor says " + a.hash() + ": the chain was rewritten"));
            }
            if (late) {
                return; // the chain goes on from the latest record in order
            }
            seen.put(p.seq(), e.where());
            // Continue from what this record claims, so that one problem is reported once.
            maxSeq = Math.max(maxSeq, p.seq());
            expectedSeq = p.seq() + 1;
            expectedPrev = p.hash();
            lastHash = p.hash();
        }

        private Finding check(AuditCodec.Parsed p, AuditSource.Entry e, boolean firstInSegment) {
            int before = findings.size();
            String file = e.segment();
            long line = e.position();
            String where = firstInSegment ? " (first record of this file: the end of the previous file is missing or changed)" : "";
            if (p.seq() == expectedSeq) {
                if (!p.prev().equals(expectedPrev)) {
                    findings.add(new Finding(Problem.BROKEN_CHAIN, file, line, e.where(), "record seq " + p.seq()
                            + " does not follow the record before it (prev hash differs): a record before it was replaced or inserted" + where));
                }
            } else if (p.seq() > expectedSeq) {
                findings.add(new Finding(Problem.DELETED, file, line, e.where(), (p.seq() - expectedSeq == 1 ? "record seq " + expectedSeq + " is"
                        : "records seq " + expectedSeq + " to " + (p.seq() - 1) + " are") + " missing before this one (seq " + p.seq() + ")" + where));
            } else if (p.seq() == expectedSeq - 1 && p.prev().equals(expectedPrev)) {
                findings.add(new Finding(Problem.INSERTED, file, line, e.where(), "a second record with seq " + p.seq()
                        + " chained to the same predecessor: a record was inserted (or a fork was written)"));
            } else {
                findings.add(new Finding(p.seq() == expectedSeq - 1 ? Problem.INSERTED : Problem.REORDERED, file, line, e.where(), "record seq "
                        + p.seq() + " comes after seq " + (expectedSeq - 1) + ": records are out of order, or one was copied in"));
            }
            return findings.size() > before ? findings.get(findings.size() - 1) : null;
        }

        /**
         * A table row keeps seq, time, type, identity and hash beside the line, and searches filter on them in
         * SQL: a row whose columns were changed can hide from a search even though its line is intact.
         */
        private void checkColumns(AuditSource.Entry e, AuditCodec.Parsed p) {
            AuditSource.Row row = e.row();
            List<String> differ = new ArrayList<>();
            if (row.seq() != p.seq()) {
                differ.add("seq " + row.seq() + " (the record says " + p.seq() + ")");
            }
            if (!row.hash().equals(p.hash())) {
                differ.add("hash " + row.hash() + " (the record says " + p.hash() + ")");
            }
            if (!row.type().equals(p.json().path("type").asText())) {
                differ.add("type " + row.type() + " (the record says " + p.json().path("type").asText() + ")");
            }
            String identity = AuditQuery.identityOf(p.json());
            if (!Objects.equals(row.identity(), identity)) {
                differ.add("identity " + row.identity() + " (the record says " + identity + ")");
            }
            Instant recorded = recordedTime(p);
            // The column holds microseconds (PostgreSQL rounds); the line may hold nanoseconds.
            if (recorded == null || Duration.between(recorded, row.time()).abs().toNanos() >= 1000) {
                differ.add("time " + row.time() + " (the record says " + p.json().path("time").asText() + ")");
            }
            if (differ.isEmpty()) {
                return;
            }
            if (columnsEdited++ == 0) {
                columnsEditedAt = findings.size();
                firstColumnsEdited = new Finding(Problem.COLUMNS_EDITED, e.segment(), e.position(), e.where(),
                        "the row's " + String.join(", ", differ) + ": the table was changed after the record was written"
                                + " (searches filtering on these columns can miss records)");
            }
        }

        private Instant recordedTime(AuditCodec.Parsed p) {
            try {
                return Instant.parse(p.json().path("time").asText());
            } catch (RuntimeException e) {
                return null;
            }
        }

        Result finish(String sourceName, long segments) {
            if (firstColumnsEdited != null) {
                Finding f = firstColumnsEdited;
                findings.add(columnsEditedAt, columnsEdited == 1 ? f : new Finding(f.problem(), f.file(), f.line(), f.where(),
                        f.message() + "; " + columnsEdited + " rows in all"));
            }
            for (Anchor a : wanted.values()) {
                findings.add(new Finding(Problem.ANCHOR_MISSING, sourceName, 0, sourceName, "anchored record seq " + a.seq()
                        + " is not in the log (last seq " + maxSeq + "): records were cut from the end or replaced"));
            }
            return new Result(records, segments, firstSeq, maxSeq, lastHash, findings);
        }
    }
}
