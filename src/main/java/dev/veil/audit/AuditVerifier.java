package dev.veil.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an audit directory: every record's own hash, the chain from one record to the next (across
 * files), sequence numbers without gaps, duplicates or reversals, complete final lines, and optional
 * anchors (seq:hash pairs copied from checkpoint log lines) that must still be in the chain. Each finding
 * names the file and line.
 *
 * <p>What a chain alone cannot show: records cut from the end of the newest file, or a whole chain
 * rewritten with fresh hashes. Anchors kept outside Veil's disk catch both up to the anchored record.
 */
public final class AuditVerifier {
    public enum Problem { EDITED, DELETED, INSERTED, REORDERED, TRUNCATED, BROKEN_CHAIN, NOT_A_RECORD, ANCHOR_MISSING, PRUNED }

    public record Finding(Problem problem, String file, long line, String message) {
        @Override
        public String toString() {
            return file + (line > 0 ? ":" + line : "") + ": " + problem.name().toLowerCase().replace('_', ' ') + ": " + message;
        }
    }

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
        List<Path> files = FileAuditSink.files(directory);
        List<Finding> findings = new ArrayList<>();
        Map<Long, Anchor> wanted = new HashMap<>();
        anchors.forEach(a -> wanted.put(a.seq(), a));
        long expectedSeq = -1;
        String expectedPrev = null;
        long firstSeq = -1;
        long records = 0;
        long maxSeq = 0;
        String lastHash = null;
        Map<Long, Finding> missing = new HashMap<>();
        // Recently seen records (seq -> file:line), to tell a copied-in duplicate from a moved record.
        Map<Long, String> seen = new java.util.LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > 100_000;
            }
        };
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            String name = file.getFileName().toString();
            byte[] all = Files.readAllBytes(file);
            boolean endsWithNewline = all.length == 0 || all[all.length - 1] == '\n';
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new java.io.ByteArrayInputStream(all), StandardCharsets.UTF_8))) {
                String text;
                long lineNo = 0;
                while ((text = r.readLine()) != null) {
                    lineNo++;
                    boolean lastLine = !r.ready();
                    if (lastLine && !endsWithNewline) {
                        findings.add(new Finding(Problem.TRUNCATED, name, lineNo,
                                "the file ends inside a record (" + text.length() + " characters without an end of line): cut short, or torn by a crash during a write"));
                        break;
                    }
                    AuditCodec.Parsed p;
                    try {
                        p = codec.parse(text);
                    } catch (IllegalArgumentException e) {
                        findings.add(new Finding(Problem.NOT_A_RECORD, name, lineNo, e.getMessage()));
                        continue;
                    }
                    records++;
                    boolean late = false;
                    if (firstSeq < 0) {
                        firstSeq = p.seq();
                        if (!p.prev().equals(AuditCodec.GENESIS) && !allowPruned) {
                            findings.add(new Finding(Problem.PRUNED, name, lineNo, "the chain starts at seq " + p.seq()
                                    + ", not at its beginning: earlier records are missing (use --allow-pruned after a deliberate retention cut)"));
                        }
                    } else if (p.seq() < expectedSeq && missing.containsKey(p.seq())) {
                        // Reported as missing earlier, found here: the records were moved, not deleted.
                        Finding gap = missing.remove(p.seq());
                        int at = findings.indexOf(gap);
                        if (at >= 0) {
                            findings.set(at, new Finding(Problem.REORDERED, gap.file(), gap.line(),
                                    "record seq " + p.seq() + " belongs before this line but appears at " + name + ":" + lineNo));
                        }
                        late = true;
                    } else if (seen.containsKey(p.seq())) {
                        findings.add(new Finding(Problem.INSERTED, name, lineNo, "a second record with seq " + p.seq()
                                + " (the first is at " + seen.get(p.seq()) + "): a record was copied in"));
                        late = true;
                    } else {
                        Finding f0 = check(p, expectedSeq, expectedPrev, name, lineNo, lineNo == 1, findings);
                        late = p.seq() < expectedSeq;
                        if (f0 != null && f0.problem() == Problem.DELETED && p.seq() - expectedSeq < 10_000) {
                            for (long q = expectedSeq; q < p.seq(); q++) {
                                missing.put(q, f0);
                            }
                        }
                    }
                    if (!p.valid()) {
                        findings.add(new Finding(Problem.EDITED, name, lineNo, "record seq " + p.seq()
                                + " does not match its own hash: its content was changed after it was written"));
                    }
                    Anchor a = wanted.remove(p.seq());
                    if (a != null && !a.hash().equals(p.hash())) {
                        findings.add(new Finding(Problem.ANCHOR_MISSING, name, lineNo, "record seq " + p.seq() + " has hash "
                                + p.hash() + ", the anchor says " + a.hash() + ": the chain was rewritten"));
                    }
                    if (late) {
                        continue; // the chain goes on from the latest record in order
                    }
                    seen.put(p.seq(), name + ":" + lineNo);
                    // Continue from what this record claims, so that one problem is reported once.
                    maxSeq = Math.max(maxSeq, p.seq());
                    expectedSeq = p.seq() + 1;
                    expectedPrev = p.hash();
                    lastHash = p.hash();
                }
            }
        }
        for (Anchor a : wanted.values()) {
            findings.add(new Finding(Problem.ANCHOR_MISSING, directory.toString(), 0, "anchored record seq " + a.seq()
                    + " is not in the log (last seq " + maxSeq + "): records were cut from the end or the files replaced"));
        }
        return new Result(records, files.size(), firstSeq, maxSeq, lastHash, findings);
    }

    private static Finding check(AuditCodec.Parsed p, long expectedSeq, String expectedPrev, String file, long line,
                                 boolean firstInFile, List<Finding> findings) {
        int before = findings.size();
        String where = firstInFile ? " (first record of this file: the end of the previous file is missing or changed)" : "";
        if (p.seq() == expectedSeq) {
            if (!p.prev().equals(expectedPrev)) {
                findings.add(new Finding(Problem.BROKEN_CHAIN, file, line, "record seq " + p.seq()
                        + " does not follow the record before it (prev hash differs): a record before it was replaced or inserted" + where));
            }
        } else if (p.seq() > expectedSeq) {
            findings.add(new Finding(Problem.DELETED, file, line, (p.seq() - expectedSeq == 1 ? "record seq " + expectedSeq + " is"
                    : "records seq " + expectedSeq + " to " + (p.seq() - 1) + " are") + " missing before this one (seq " + p.seq() + ")" + where));
        } else if (p.seq() == expectedSeq - 1 && p.prev().equals(expectedPrev)) {
            findings.add(new Finding(Problem.INSERTED, file, line, "a second record with seq " + p.seq()
                    + " chained to the same predecessor: a record was inserted (or a fork was written)"));
        } else {
            findings.add(new Finding(p.seq() == expectedSeq - 1 ? Problem.INSERTED : Problem.REORDERED, file, line, "record seq " + p.seq()
                    + " comes after seq " + (expectedSeq - 1) + ": records are out of order, or one was copied in"));
        }
        return findings.size() > before ? findings.get(findings.size() - 1) : null;
    }
}
