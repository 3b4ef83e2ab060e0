package dev.veil.audit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target for the readers of audit files: the line reader (forwards for verify and search, backwards for
 * newest-first search), the record parser, the verifier and search, over any bytes stored as an audit file
 * (in memory). `make test` runs it on its checked-in inputs ({@code AuditFileFuzzTestInputs/auditFile/}:
 * real audit lines, intact and damaged); `make fuzz` fuzzes it (docs/testing.md).
 */
class AuditFileFuzzTest {
    private static final FileSystem DISK = Jimfs.newFileSystem(Configuration.unix());
    private static final Path DIRECTORY = DISK.getPath("/audit");
    private static final Path FILE = DIRECTORY.resolve(FileAuditSink.PREFIX + "20260101T000000Z-000000000001" + FileAuditSink.SUFFIX);

    static {
        try {
            Files.createDirectories(DIRECTORY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every line is a record, a line that is no record (a finding) or a torn last line (a finding): the verifier
     * accounts for each line once and throws nothing. Search finds exactly the records, the same ones newest
     * first as oldest first, and a time range filters without throwing, whatever a record says its time is;
     * the extent `veil audit streams` shows counts the same records.
     */
    @FuzzTest
    void auditFile(byte[] input) throws IOException {
        Files.write(FILE, input);
        AuditVerifier.Result result = new AuditVerifier().verify(DIRECTORY, List.of(), false);
        long notRecords = result.findings().stream()
                .filter(f -> f.problem() == AuditVerifier.Problem.NOT_A_RECORD || f.problem() == AuditVerifier.Problem.TRUNCATED)
                .count();
        assertThat(result.records() + notRecords).as("records and lines that are none, %s", result.findings())
                .isEqualTo(lines(input));

        AuditSearch search = new AuditSearch(DIRECTORY);
        List<String> oldestFirst = lines(search.find(query(null, null, AuditQuery.Order.OLDEST_FIRST)));
        assertThat(oldestFirst).hasSize((int) result.records());
        List<String> newestFirst = lines(search.find(query(null, null, AuditQuery.Order.NEWEST_FIRST)));
        Collections.reverse(newestFirst);
        assertThat(newestFirst).as("newest first, reversed").isEqualTo(oldestFirst);

        List<String> inRange = lines(search.find(query(Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("2100-01-01T00:00:00Z"), AuditQuery.Order.OLDEST_FIRST)));
        assertThat(oldestFirst).containsAll(inRange);

        AuditTable.Stream extent = search.extent("fuzz");
        assertThat(extent == null ? 0 : extent.records()).isEqualTo(result.records());
    }

    /** Lines as AuditFileLines defines them: ended by \n; after the last one, what is left without its zero padding. */
    private static long lines(byte[] file) {
        long n = 0;
        int lastEnd = 0;
        for (int i = 0; i < file.length; i++) {
            if (file[i] == '\n') {
                n++;
                lastEnd = i + 1;
            }
        }
        for (int i = lastEnd; i < file.length; i++) {
            if (file[i] != 0) {
                return n + 1;
            }
        }
        return n;
    }

    private static AuditQuery query(Instant from, Instant to, AuditQuery.Order order) {
        return new AuditQuery(null, from, to, null, null, null, null, null, Integer.MAX_VALUE, order, null, null);
    }

    private static List<String> lines(List<AuditSearch.Match> matches) {
        List<String> out = new ArrayList<>(matches.size());
        matches.forEach(m -> out.add(m.line()));
        return out;
    }
}
