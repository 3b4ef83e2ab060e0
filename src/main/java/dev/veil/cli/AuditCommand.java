package dev.veil.cli;

import picocli.CommandLine;

/** {@code veil audit …}: tools over the audit files or the audit table. They only read; the gateway need not run. */
@CommandLine.Command(name = "audit", description = "Verify, search and report on the audit trail.",
        mixinStandardHelpOptions = true,
        subcommands = {AuditVerifyCommand.class, AuditSearchCommand.class, AuditReportCommand.class, AuditStreamsCommand.class})
public class AuditCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
