package dev.veil.console;

import dev.veil.audit.AuditLog;
import dev.veil.audit.AuditSource;
import dev.veil.audit.AuditTable;
import dev.veil.audit.DirectoryAuditSource;
import dev.veil.config.VeilConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;

/**
 * The records the console reads, as {@code GET /api/v1/audit} chooses them by default: the file sink's directory
 * when it is enabled, else this instance's stream of the PostgreSQL audit table.
 */
@ApplicationScoped
public class ConsoleAuditSource {
    private final AuditLog audit;
    private final VeilConfig.Audit config;

    public ConsoleAuditSource(AuditLog audit, VeilConfig config) {
        this.audit = audit;
        this.config = config.audit();
    }

    AuditSource open() throws IOException {
        if (config.file().enabled()) {
            return new DirectoryAuditSource(audit.directory());
        }
        if (config.postgres().enabled()) {
            return AuditTable.of(config.postgres()).stream(AuditTable.ownStream(config.postgres()));
        }
        throw new IOException("no audit sink can be read back: enable veil.audit.file or veil.audit.postgres");
    }
}
