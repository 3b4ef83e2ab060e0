package dev.veil.cli;

import dev.veil.audit.AuditChainFixture;
import dev.veil.audit.AuditVerifier;
import dev.veil.audit.DirectoryAuditSource;
import dev.veil.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code veil audit streams} where no audit table is configured (the demo: files only) lists the files' one chain,
 * instead of failing to reach a table nobody configured.
 */
class AuditFileStreamsTest {
    @TempDir
    Path work;

    private record Run(int exit, String out, String err) {
    }

    private Run streams(Map<String, String> properties, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AuditStreamsCommand(TestConfig.veil(properties)));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void withoutATableTheConfiguredAuditDirectoryIsListedAsOneStream() throws Exception {
        Path audit = work.resolve("veil-audit");
        AuditChainFixture.write(audit, 40, 2_000); // several files: rotation happens
        AuditVerifier.Result chain = new AuditVerifier().verify(new DirectoryAuditSource(audit), List.of(), false);
        assertThat(chain.files()).isGreaterThan(1);

        Run r = streams(Map.of("veil.audit.file.directory", audit.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("audit files in " + audit.toAbsolutePath() + ": 1 stream(s)");
        String[] row = lines.get(2).strip().split(" +");
        assertThat(row).startsWith("veil-audit", String.valueOf(chain.records()), chain.firstSeq() + ".." + chain.lastSeq());
        // The fixture's clock starts at 2026-01-01T00:00:00Z and ticks a second per reading.
        assertThat(Instant.parse(row[3])).isAfterOrEqualTo(Instant.parse("2026-01-01T00:00:00Z")).isBefore(Instant.parse(row[4]));
    }

    @Test
    void dirNamesAnotherDirectory() throws Exception {
        Path other = work.resolve("elsewhere");
        AuditChainFixture.write(other, 3, 1 << 20);
        Run r = streams(Map.of("veil.audit.file.directory", work.resolve("not-here").toString()), "--dir", other.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("audit files in " + other.toAbsolutePath() + ": 1 stream(s)");
    }

    @Test
    void aMissingDirectoryIsNamedWithExitCodeTwo() {
        Path missing = work.resolve("veil-audit");
        Run r = streams(Map.of("veil.audit.file.directory", missing.toString()));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("no audit directory at " + missing.toAbsolutePath() + " (veil.audit.file.directory, or --dir)");
    }

    @Test
    void dirCannotBeCombinedWithTheTableOptions() {
        Run r = streams(Map.of(), "--dir", work.toString(), "--postgres");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--dir reads files");
    }
}
