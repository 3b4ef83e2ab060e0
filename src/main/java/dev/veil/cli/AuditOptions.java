package dev.veil.cli;

import dev.veil.config.VeilConfig;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Options every audit tool shares: which directory to read. */
public class AuditOptions {
    @CommandLine.Option(names = "--dir", description = "Audit directory (default: veil.audit.file.directory)")
    Path dir;

    Path directory(VeilConfig config) {
        return dir != null ? dir : Path.of(config.audit().file().directory());
    }

    /** An instant as ISO-8601 ({@code 2026-01-31T12:00:00Z}) or a date ({@code 2026-01-31}, midnight UTC). */
    static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        return s.length() == 10 ? LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(s);
    }
}
