package dev.veil.cli;

import dev.veil.audit.AuditTable;
import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code veil audit streams}: the streams of the audit table (one per Veil instance sharing it). */
@CommandLine.Command(name = "streams", mixinStandardHelpOptions = true,
        description = "List the streams of the audit table (one chain per Veil instance) with their records, seq range and time range.")
public class AuditStreamsCommand implements Callable<Integer> {
    private final VeilConfig config;

    @CommandLine.Option(names = "--pg-url", paramLabel = "JDBC-URL", description = "Database of the audit table (default: veil.audit.postgres.*)")
    String pgUrl;

    @CommandLine.Option(names = "--table", description = "Audit table (default: veil.audit.postgres.table)")
    String table;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AuditStreamsCommand(VeilConfig config) {
        this.config = config;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        AuditOptions options = new AuditOptions();
        options.pgUrl = pgUrl;
        options.table = table;
        return AuditOptions.run(spec.commandLine().getErr(), () -> {
            AuditTable t = options.auditTable(config);
            List<AuditTable.Stream> streams = t.streams();
            out.println(t.name() + ": " + streams.size() + " stream(s)");
            if (!streams.isEmpty()) {
                out.print(AuditOptions.listing(streams));
            }
            out.flush();
            return 0;
        });
    }
}
