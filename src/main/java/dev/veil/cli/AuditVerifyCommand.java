package dev.veil.cli;

import dev.veil.audit.AuditVerifier;
import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code veil audit verify}: exit 0 when the chain is intact, 1 with one line per finding otherwise. */
@CommandLine.Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the hash chain of the audit files: edits, deletions, insertions, reordering, truncation.")
public class AuditVerifyCommand implements Callable<Integer> {
    private final VeilConfig config;

    @CommandLine.Mixin
    AuditOptions options = new AuditOptions();

    @CommandLine.Option(names = "--anchor", paramLabel = "SEQ:HASH",
            description = "A record that must be in the chain with this hash (from a checkpoint line of Veil's log); repeatable.")
    List<String> anchors = new ArrayList<>();

    @CommandLine.Option(names = "--allow-pruned", description = "Accept a chain whose oldest files were deleted on purpose.")
    boolean allowPruned;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AuditVerifyCommand(VeilConfig config) {
        this.config = config;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = options.directory(config);
        if (!Files.isDirectory(dir)) {
            spec.commandLine().getErr().println("no audit directory at " + dir.toAbsolutePath());
            return 2;
        }
        AuditVerifier.Result r = new AuditVerifier().verify(dir, anchors.stream().map(AuditVerifier.Anchor::parse).toList(), allowPruned);
        r.findings().forEach(out::println);
        out.printf("%s: %d records in %d files, seq %d..%d, last hash %s: %s%n", dir.toAbsolutePath(), r.records(), r.files(),
                r.firstSeq(), r.lastSeq(), r.lastHash(), r.ok() ? "OK" : r.findings().size() + " problem(s)");
        out.flush();
        return r.ok() ? 0 : 1;
    }
}
