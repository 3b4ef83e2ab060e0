package dev.veil.cli;

import dev.veil.audit.AuditChainFixture;
import dev.veil.audit.AuditCodec;
import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code veil audit search} over audit files: newest first by default, oldest first on request, pages by seq. */
class AuditSearchCommandTest {
    @TempDir
    Path dir;

    private String search(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AuditSearchCommand(TestConfig.veil(Map.of("veil.audit.file.directory", dir.toString()))));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute(args)).as(err.toString()).isZero();
        return out.toString();
    }

    /** The seq of each JSON line printed. */
    static List<Long> seqs(String out) {
        AuditCodec codec = new AuditCodec();
        return out.lines().map(l -> {
            try {
                return codec.mapper().readTree(l).path("seq").asLong();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    @Test
    void printsTheNewestRecordsFirstAndTheNextPageBeforeTheLastSeqPrinted() throws Exception {
        AuditChainFixture.write(dir, 20, 4_000);
        List<Long> newest = seqs(search("--limit", "5"));
        long last = newest.get(0);
        assertThat(newest).containsExactly(last, last - 1, last - 2, last - 3, last - 4);
        assertThat(search("--limit", "1")).contains("\"reason\":\"stop\""); // the very last record: the stop checkpoint
        assertThat(seqs(search("--limit", "3", "--before-seq", String.valueOf(last - 4)))).containsExactly(last - 5, last - 6, last - 7);
    }

    @Test
    void printsTheOldestFirstOnRequestAndTheNextPageAfterTheLastSeqPrinted() throws Exception {
        AuditChainFixture.write(dir, 20, 4_000);
        assertThat(seqs(search("--oldest-first", "--limit", "3"))).containsExactly(1L, 2L, 3L);
        assertThat(seqs(search("--oldest-first", "--limit", "3", "--after-seq", "3"))).containsExactly(4L, 5L, 6L);
        assertThat(seqs(search("--oldest-first", "--type", "admin.action", "--limit", "1")))
                .singleElement().satisfies(s -> assertThat(s).isGreaterThan(1L));
    }
}
