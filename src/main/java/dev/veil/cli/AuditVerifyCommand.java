package dev.veil.cli;

import dev.veil.audit.AuditSource;
import dev.veil.audit.AuditVerifier;
import dev.veil.audit.DirectoryAuditSource;
import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code veil audit verify}: exit 0 when the chain is intact, 1 with one line per finding otherwise, 2 when there is nothing to check. */
@CommandLine.Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the hash chain of the audit files or of one stream of the audit table: edits, deletions, insertions, reordering, truncation.")
public class AuditVerifyCommand implements Callable<Integer> {
    private final VeilConfig config;

    @CommandLine.Mixin
    AuditOptions options = new AuditOptions();

    @CommandLine.Option(names = "--anchor", paramLabel = "SEQ:HASH",
            description = "A record that must be in the chain with this hash (from a checkpoint line of Veil's log); repeatable.")
    List<String> anchors = new ArrayList<>();

    @CommandLine.Option(names = "--allow-pruned", description = "Accept a chain whose oldest files (or rows) were deleted on purpose.")
    boolean allowPruned;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AuditVerifyCommand(VeilConfig config) {
        this.config = config;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return AuditOptions.run(err, () -> {
            try (AuditSource source = options.source(config)) {
                if (source instanceof DirectoryAuditSource d && !Files.isDirectory(d.directory())) {
                    err.println("no audit directory at " + d.name());
                    err.flush();
                    return 2;
                }
                AuditVerifier.Result r = new AuditVerifier().verify(source, anchors.stream().map(AuditVerifier.Anchor::parse).toList(), allowPruned);
                if (r.records() == 0 && r.findings().isEmpty()) {
                    err.println("no audit records in " + source.name());
                    err.flush();
                    return 2;
                }
                r.findings().forEach(out::println);
                String extent = source instanceof DirectoryAuditSource ? r.records() + " records in " + r.files() + " files" : r.records() + " records";
                out.printf("%s: %s, seq %d..%d, last hash %s: %s%n", source.name(), extent,
                        r.firstSeq(), r.lastSeq(), r.lastHash(), r.ok() ? "OK" : r.findings().size() + " problem(s)");
                out.flush();
                return r.ok() ? 0 : 1;
            }
        });
    }
}
