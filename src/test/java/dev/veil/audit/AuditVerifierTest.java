package dev.veil.audit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

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

    /** Replaces the bytes of one line (0-based) of a file, leaving every other byte as it is. */
    private static void editBytes(Path f, int index, UnaryOperator<byte[]> edit) throws Exception {
        byte[] all = Files.readAllBytes(f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = 0;
        int line = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                byte[] b = Arrays.copyOfRange(all, start, i);
                out.write(line++ == index ? edit.apply(b) : b);
                out.write('\n');
                start = i + 1;
            }
        }
        out.write(all, start, all.length - start);
        Files.write(f, out.toByteArray());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private void assertOneEdit(Path f, int lineNo, String... said) throws Exception {
        assertThat(verify().findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.EDITED);
            assertThat(x.file()).isEqualTo(name(f));
            assertThat(x.line()).isEqualTo(lineNo);
            assertThat(x.toString()).startsWith(name(f) + ":" + lineNo + ": edited: ").contains(said);
        });
    }

    @Test
    void aCarriageReturnAddedToALineIsAnEdit() throws Exception {
        Path f = files.get(1);
        editBytes(f, 2, b -> concat(b, new byte[]{'\r'}));
        assertOneEdit(f, 3, "1 byte after the record (\"\\r\")");
    }

    @Test
    void aTrailingSpaceIsAnEdit() throws Exception {
        Path f = files.get(1);
        editBytes(f, 0, b -> concat(b, "  ".getBytes(StandardCharsets.UTF_8)));
        assertOneEdit(f, 1, "2 bytes after the record (\"  \")");
    }

    @Test
    void bytesBeforeTheRecordAreAnEdit() throws Exception {
        Path f = files.get(0);
        editBytes(f, 0, b -> concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, b)); // a byte order mark
        assertOneEdit(f, 1, "3 bytes before the record (\"\\ufeff\")");
    }

    @Test
    void changedWhitespaceInsideTheJsonIsAnEdit() throws Exception {
        Path f = files.get(1);
        editBytes(f, 1, b -> new String(b, StandardCharsets.UTF_8).replace(",\"type\":", ", \"type\" :").getBytes(StandardCharsets.UTF_8));
        assertOneEdit(f, 2, "does not match its own hash");
        editBytes(f, 1, b -> new String(b, StandardCharsets.UTF_8).replace(", \"type\" :", ",\"type\":")
                .replace("{\"seq\":", "{\t\"seq\":").getBytes(StandardCharsets.UTF_8));
        assertOneEdit(f, 2, "does not match its own hash");
    }

    @Test
    void aByteThatIsNotUtf8IsAnEditEvenWhereItDecodesToTheSameText() throws Exception {
        // A record holding U+FFFD (as a client's text may): a byte that is not UTF-8 decodes to that same
        // character, so a check of the decoded text would find the same hash.
        Path d = dir.resolve("replacement");
        Clock clock = AuditChainFixture.ticking();
        AuditChainFixture.write(List.of(new FileAuditSink(d, 1 << 20, Duration.ofDays(1), true, clock)), clock,
                List.of(new AuditEvent.AdminAction(clock.instant(), "alice", "test.action", "bad \ufffd byte", Map.of(), true)));
        Path f = FileAuditSink.files(d).get(0);
        byte[] replacement = "\ufffd".getBytes(StandardCharsets.UTF_8);
        editBytes(f, 1, b -> {
            String text = new String(b, StandardCharsets.ISO_8859_1);
            int at = text.indexOf(new String(replacement, StandardCharsets.ISO_8859_1));
            byte[] edited = new byte[b.length - 2];
            System.arraycopy(b, 0, edited, 0, at);
            edited[at] = (byte) 0xFF;
            System.arraycopy(b, at + 3, edited, at + 1, b.length - at - 3);
            return edited;
        });
        int at = new String(Files.readAllLines(f, StandardCharsets.ISO_8859_1).get(1)).indexOf('\u00ff');
        assertThat(verifier.verify(d, List.of(), false).findings()).singleElement().satisfies(x -> {
            assertThat(x.problem()).isEqualTo(AuditVerifier.Problem.EDITED);
            assertThat(x.toString()).startsWith(name(f) + ":2: edited: ").contains("byte " + (at + 1) + " of the line is not UTF-8");
        });
    }
}
