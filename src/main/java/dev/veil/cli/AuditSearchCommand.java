package dev.veil.cli;

import dev.veil.audit.AuditQuery;
import dev.veil.audit.AuditSearch;
import dev.veil.audit.AuditSource;
import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code veil audit search}: matching records as JSON lines, newest first (or oldest first), a page at a time. */
@CommandLine.Command(name = "search", mixinStandardHelpOptions = true,
        description = "Print the audit records (from the files or the audit table) that match every given filter, as JSON lines, newest first.")
public class AuditSearchCommand implements Callable<Integer> {
    private final VeilConfig config;

    @CommandLine.Mixin
    AuditOptions options = new AuditOptions();
    @CommandLine.Option(names = "--identity", description = "Who (user, actor)") String identity;
    @CommandLine.Option(names = "--from", description = "From this time (inclusive), ISO-8601 or a date") String from;
    @CommandLine.Option(names = "--to", description = "Up to this time (exclusive)") String to;
    @CommandLine.Option(names = "--relation", description = "Table or view read or written (schema optional)") String relation;
    @CommandLine.Option(names = "--tag", description = "Classification tag of a column touched or masked") String tag;
    @CommandLine.Option(names = "--decision", description = "allow, deny or needs-approval") String decision;
    @CommandLine.Option(names = "--rule", description = "Policy rule that decided") String rule;
    @CommandLine.Option(names = "--type", description = "Event type, e.g. statement.decided, auth.failed") String type;
    @CommandLine.Option(names = "--kind", description = "Sessions started by this kind of identity: person, service or agent"
            + " (their session.started records: client id, owner, MCP tool)") String kind;
    @CommandLine.Option(names = "--limit", defaultValue = "1000", description = "At most this many records (default ${DEFAULT-VALUE})") int limit;
    @CommandLine.Option(names = "--oldest-first", description = "Oldest records first (chain order); the default is newest first") boolean oldestFirst;
    @CommandLine.Option(names = "--before-seq", paramLabel = "SEQ", description = "Only records with a lower seq: "
            + "the next page, newest first, is --before-seq <the last seq printed>") Long beforeSeq;
    @CommandLine.Option(names = "--after-seq", paramLabel = "SEQ", description = "Only records with a higher seq: "
            + "the next page, with --oldest-first, is --after-seq <the last seq printed>") Long afterSeq;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AuditSearchCommand(VeilConfig config) {
        this.config = config;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AuditQuery q = new AuditQuery(identity, AuditOptions.instant(from), AuditOptions.instant(to), relation, tag, decision, rule, type,
                limit, oldestFirst ? AuditQuery.Order.OLDEST_FIRST : AuditQuery.Order.NEWEST_FIRST, afterSeq, beforeSeq, kind);
        return AuditOptions.run(err, () -> {
            try (AuditSource source = options.source(config)) {
                int n = new AuditSearch(source).scan(q, m -> out.println(m.line()));
                out.flush();
                err.println(n + " record(s)");
                err.flush();
                return 0;
            }
        });
    }
}
