package dev.veil.cli;

import dev.veil.audit.AuditSource;
import dev.veil.audit.AuditTable;
import dev.veil.audit.DirectoryAuditSource;
import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;

/**
 * Options every audit tool shares: where the records are read from. Files by default (the directory of
 * veil.audit.file); the control-plane table with --postgres (the connection of veil.audit.postgres), --pg-url,
 * --table or --stream, and also by default when the configuration has only the table sink.
 */
public class AuditOptions {
    @CommandLine.Option(names = "--dir", description = "Audit directory (default: veil.audit.file.directory)")
    Path dir;

    @CommandLine.Option(names = "--postgres", description = "Read the audit table of veil.audit.postgres.* (connection, "
            + "password-file / password-env, table, stream) instead of files")
    boolean postgres;

    @CommandLine.Option(names = "--pg-url", paramLabel = "JDBC-URL", description = "Read the audit table of this database "
            + "(jdbc:postgresql://host:port/database[?user=…&sslmode=…]); user and password default to veil.audit.postgres.*")
    String pgUrl;

    @CommandLine.Option(names = "--table", description = "Audit table (default: veil.audit.postgres.table)")
    String table;

    @CommandLine.Option(names = "--stream", description = "Stream of the table: one Veil instance's chain (default: "
            + "veil.audit.postgres.stream, else the only stream in the table)")
    String stream;

    /** The options do not name one source (several streams, none, or contradicting options); the message says why. */
    static final class SourceProblem extends Exception {
        SourceProblem(String message) {
            super(message);
        }
    }

    boolean readsTable(VeilConfig config) {
        VeilConfig.Audit a = config.audit();
        return postgres || pgUrl != null || table != null || stream != null
                || (dir == null && !a.file().enabled() && a.postgres().enabled());
    }

    Path directory(VeilConfig config) {
        return dir != null ? dir : Path.of(config.audit().file().directory());
    }

    AuditTable auditTable(VeilConfig config) throws IOException {
        VeilConfig.AuditPostgres pg = config.audit().postgres();
        if (pgUrl == null) {
            AuditTable configured = AuditTable.of(pg);
            return table == null ? configured : new AuditTable(configured.url(), configured.properties(), table);
        }
        // The URL's own parameters (user, password, sslmode, …) win over these defaults.
        Properties defaults = AuditTable.connectionProperties(pg.user(), AuditTable.password(pg), null, null);
        defaults.remove("sslmode");
        defaults.remove("sslfactory");
        return new AuditTable(pgUrl, defaults, table != null ? table : pg.table());
    }

    /** The source to read: the directory, or one stream of the table. */
    AuditSource source(VeilConfig config) throws IOException, SourceProblem {
        if (!readsTable(config)) {
            return new DirectoryAuditSource(directory(config));
        }
        if (dir != null) {
            throw new SourceProblem("--dir reads files; it cannot be combined with --postgres, --pg-url, --table or --stream");
        }
        AuditTable t = auditTable(config);
        return t.stream(chooseStream(config, t));
    }

    private String chooseStream(VeilConfig config, AuditTable t) throws IOException, SourceProblem {
        if (stream != null) {
            return stream;
        }
        if (pgUrl == null && config.audit().postgres().stream().isPresent()) {
            return config.audit().postgres().stream().get();
        }
        List<AuditTable.Stream> streams = t.streams();
        if (streams.size() == 1) {
            return streams.get(0).name();
        }
        throw new SourceProblem(streams.isEmpty() ? t.name() + " holds no records"
                : t.name() + " holds " + streams.size() + " streams (one per Veil instance); choose one with --stream:\n" + listing(streams));
    }

    static String listing(List<AuditTable.Stream> streams) {
        // Times as Instant prints them: up to 30 characters with nanoseconds.
        StringBuilder b = new StringBuilder(String.format("  %-28s %10s  %-21s  %-30s  %s%n", "STREAM", "RECORDS", "SEQ", "FIRST", "LAST"));
        for (AuditTable.Stream s : streams) {
            b.append(String.format("  %-28s %10d  %-21s  %-30s  %s%n", s.name(), s.records(), s.firstSeq() + ".." + s.lastSeq(), s.firstTime(), s.lastTime()));
        }
        return b.toString();
    }

    /** Runs a tool body; a source that cannot be read ends it with exit code 2 and the reason, not a stack trace. */
    static int run(PrintWriter err, ToolBody body) throws Exception {
        try {
            return body.run();
        } catch (IOException | SourceProblem e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        }
    }

    interface ToolBody {
        int run() throws Exception;
    }

    /** An instant as ISO-8601 ({@code 2026-01-31T12:00:00Z}) or a date ({@code 2026-01-31}, midnight UTC). */
    static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        return s.length() == 10 ? LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(s);
    }
}
