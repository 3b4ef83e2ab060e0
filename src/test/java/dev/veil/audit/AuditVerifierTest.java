package dev.veil.audit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The verifier accepts an intact log and names the file and line of every kind of tampering. */
class AuditVerifierTest {
    @TempDir
    Path dir;
    private final AuditVerifier verifier = new AuditVerifier();
    private List<Path> files;

    @BeforeEach
    void writeLog() throws Exception {
        // Small files: the 40 records and their checkpoints spread over several files.
        AuditChainFixture.write(dir, 40, 4_000);
        files = FileAuditSink.files(dir);
        assertThat(files).hasSizeGreaterThan(2);
    }

    private AuditVerifier.Result verify() throws Exception {
        return verifier.verify(dir, List.of(), false);
    }

    private List<String> lines(Path f) throws Exception {
        return new ArrayList<>(Files.readAllLines(f, StandardCharsets.UTF_8));
    }

    private void write(Path f, List<String> lines) throws Exception {
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static String name(Path f) {
        return f.getFileName().toString();
    }

    @Test
    void acceptsAnIntactLogAcrossRotatedFiles() throws Exception {
        AuditVerifier.Result r = verify();
        assertThat(r.findings()).isEmpty();
        assertThat(r.files()).isEqualTo(files.size());
        assertThat(r.firstSeq()).isEqualTo(1);
        assertThat(r.lastSeq()).isEqualTo(r.records());
        // start, 40 events, stop, and the periodic and rotation checkpoints in between
        assertThat(r.records()).isGreaterThan(42);
    }

    @Test
    void findsAnEditedRecord() throws Exception {
        Path f = files.get(1);
        List<String> l = lines(f);
        l.set(2, l.get(2).replace("\"alice\"", "\"mallory\""));
        write(f, l);
        assertThat(verify().findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.EDITED);
            assertThat(x.file()).isEqualTo(name(f));
            assertThat(x.line()).isEqualTo(3);
        });
    }

    @Test
    void findsAnEditWhoseHashWasRecomputed() throws Exception {
        Path f = files.get(1);
        List<String> l = lines(f);
        AuditCodec codec = new AuditCodec();
        var p = codec.parse(l.get(2));
        String edited = l.get(2).replace("\"alice\"", "\"mallory\"");
        String body = edited.substring(0, edited.indexOf(",\"hash\":\"")) + "}";
        l.set(2, body.substring(0, body.length() - 1) + ",\"hash\":\"" + AuditCodec.sha256(body) + "\"}");
        write(f, l);
        assertThat(p.valid()).isTrue();
        assertThat(verify().findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.BROKEN_CHAIN);
            assertThat(x.line()).isEqualTo(4); // the next record no longer follows it
        });
    }

    @Test
    void findsADeletedRecord() throws Exception {
        Path f = files.get(1);
        List<String> l = lines(f);
        long seq = new AuditCodec().parse(l.get(1)).seq();
        l.remove(1);
        write(f, l);
        assertThat(verify().findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.DELETED);
            assertThat(x.file()).isEqualTo(name(f));
            assertThat(x.line()).isEqualTo(2);
            assertThat(x.message()).contains("seq " + seq + " is missing");
        });
    }

    @Test
    void findsAnInsertedCopyOfARecord() throws Exception {
        Path f = files.get(1);
        List<String> l = lines(f);
        l.add(2, l.get(0));
        write(f, l);
        assertThat(verify().findings()).extracting(AuditVerifier.Finding::problem).contains(AuditVerifier.Problem.INSERTED);
        assertThat(verify().findings()).allSatisfy(x -> assertThat(x.line()).isEqualTo(3));
    }

    @Test
    void findsAnInsertedForgedRecordWithAValidHash() throws Exception {
        Path f = files.get(1);
        List<String> l = lines(f);
        AuditCodec codec = new AuditCodec();
        var before = codec.parse(l.get(0));
        AuditLine forged = codec.encode(before.seq() + 1, AuditChainFixture.admin(AuditChainFixture.ticking(), 99), before.hash());
        l.add(1, forged.text());
        write(f, l);
        List<AuditVerifier.Finding> found = verify().findings();
        assertThat(found).isNotEmpty();
        assertThat(found.get(0).problem()).isEqualTo(AuditVerifier.Problem.INSERTED);
        assertThat(found.get(0).line()).isEqualTo(3); // the genuine record that now comes out of place
    }

    @Test
    void findsReorderedRecords() throws Exception {
        Path f = files.get(1);
        List<String> l = lines(f);
        String a = l.get(1);
        l.set(1, l.get(2));
        l.set(2, a);
        write(f, l);
        assertThat(verify().findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.REORDERED);
            assertThat(x.file()).isEqualTo(name(f));
            assertThat(x.line()).isEqualTo(2);
            assertThat(x.message()).contains("appears at " + name(f) + ":3");
        });
    }

    @Test
    void findsAFileCutInsideARecord() throws Exception {
        Path last = files.get(files.size() - 1);
        byte[] b = Files.readAllBytes(last);
        Files.write(last, Arrays.copyOf(b, b.length - 30));
        assertThat(verify().findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.TRUNCATED);
            assertThat(x.file()).isEqualTo(name(last));
        });
    }

    @Test
    void findsRecordsCutFromTheEndOfARotatedFile() throws Exception {
        Path f = files.get(0);
        List<String> l = lines(f);
        write(f, l.subList(0, l.size() - 2));
        assertThat(verify().findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.DELETED);
            assertThat(x.file()).isEqualTo(name(files.get(1)));
            assertThat(x.line()).isEqualTo(1);
        });
    }

    @Test
    void findsADeletedFirstFileUnlessPruningIsAllowed() throws Exception {
        Files.delete(files.get(0));
        assertThat(verify().findings()).singleElement()
                .satisfies(x -> assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.PRUNED));
        assertThat(verifier.verify(dir, List.of(), true).findings()).isEmpty();
    }

    @Test
    void anchorsCatchRecordsCutFromTheEndOfTheNewestFile() throws Exception {
        AuditVerifier.Result intact = verify();
        var anchor = new AuditVerifier.Anchor(intact.lastSeq(), intact.lastHash());
        assertThat(verifier.verify(dir, List.of(anchor), false).findings()).isEmpty();
        Path last = files.get(files.size() - 1);
        List<String> l = lines(last);
        write(last, l.subList(0, l.size() - 1));
        assertThat(verify().findings()).as("without an anchor a clean cut at the very end is invisible").isEmpty();
        assertThat(verifier.verify(dir, List.of(anchor), false).findings()).singleElement()
                .satisfies(x -> assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.ANCHOR_MISSING));
    }
}
