package dev.veil.cli;

import dev.veil.audit.AuditSearch;
import dev.veil.audit.AuditTable;
import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code veil audit streams}: the chains the audit tools can read. The audit table holds one stream per Veil
 * instance sharing it; it is listed when one is configured ({@code veil.audit.postgres.enabled}) or named
 * ({@code --postgres}, {@code --pg-url}, {@code --table}). Otherwise the audit files are listed: one directory is
 * one chain (the demo's case: {@code make run} writes only files).
 */
@CommandLine.Command(name = "streams", mixinStandardHelpOptions = true,
        description = "List the audit chains with their records, seq range and time range: the streams of the audit "
                + "table (one per Veil instance) when a table is configured or named, else the audit files.")
public class AuditStreamsCommand implements Callable<Integer> {
    private final VeilConfig config;

    @CommandLine.Option(names = "--dir", description = "Audit directory (default: veil.audit.file.directory)")
    Path dir;

    @CommandLine.Option(names = "--postgres", description = "List the streams of the audit table of veil.audit.postgres.*")
    boolean postgres;

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
        PrintWriter err = spec.commandLine().getErr();
        boolean readsTable = postgres || pgUrl != null || table != null || (dir == null && config.audit().postgres().enabled());
        if (readsTable && dir != null) {
            err.println("--dir reads files; it cannot be combined with --postgres, --pg-url or --table");
            err.flush();
            return 2;
        }
        return AuditOptions.run(err, () -> {
            if (!readsTable) {
                return files(out, err, dir != null ? dir : Path.of(config.audit().file().directory()));
            }
            AuditOptions options = new AuditOptions();
            options.pgUrl = pgUrl;
            options.table = table;
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

    private static int files(PrintWriter out, PrintWriter err, Path directory) throws Exception {
        Path absolute = directory.toAbsolutePath();
        if (!Files.isDirectory(absolute)) {
            err.println("no audit directory at " + absolute + " (veil.audit.file.directory, or --dir)");
            err.flush();
            return 2;
        }
        AuditTable.Stream chain = new AuditSearch(absolute).extent(absolute.getFileName().toString());
        out.println("audit files in " + absolute + ": " + (chain == null ? 0 : 1) + " stream(s)");
        if (chain != null) {
            out.print(AuditOptions.listing(List.of(chain)));
        }
        out.flush();
        return 0;
    }
}
