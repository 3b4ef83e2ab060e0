package dev.veil.cli;

import dev.veil.audit.AuditCodec;
import dev.veil.audit.AuditSource;
import dev.veil.audit.EvidenceReport;
import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code veil audit report --from --to}: SOC 2 evidence files (JSON and CSV) for a period. */
@CommandLine.Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write SOC 2 evidence for a period, from the audit files or the audit table: sensitive column access, refusals, approvals, privilege changes, sign-in failures (JSON and CSV).")
public class AuditReportCommand implements Callable<Integer> {
    private final VeilConfig config;

    @CommandLine.Mixin
    AuditOptions options = new AuditOptions();
    @CommandLine.Option(names = "--from", required = true, description = "Start (inclusive), ISO-8601 or a date") String from;
    @CommandLine.Option(names = "--to", required = true, description = "End (exclusive), ISO-8601 or a date") String to;
    @CommandLine.Option(names = "--out", defaultValue = "veil-audit-report", description = "Output directory (default ${DEFAULT-VALUE})") Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AuditReportCommand(VeilConfig config) {
        this.config = config;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        return AuditOptions.run(spec.commandLine().getErr(), () -> {
            try (AuditSource source = options.source(config)) {
                EvidenceReport report = new EvidenceReport();
                EvidenceReport.Report r = report.build(source, AuditOptions.instant(from), AuditOptions.instant(to));
                var files = report.write(r, out, new AuditCodec().mapper());
                w.printf("%d records from %s to %s in %s%n", r.recordsScanned(), r.from(), r.to(), source.name());
                EvidenceReport.counts(r).forEach((k, v) -> w.printf("  %-46s %d%n", k, v));
                files.forEach(f -> w.println("wrote " + f.toAbsolutePath()));
                w.flush();
                return 0;
            }
        });
    }
}
