package dev.veil.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One sealed record as stored: its sequence number, type, time and identity (for indexes), its hash and the exact
 * line (no newline) as UTF-8. The line is kept as the bytes the hash was taken over and the files take: a
 * statement's two records are written on its own thread, and making the text a string only to encode it again was
 * two more copies of every record. {@link #text} decodes it for the sinks that want a string. Nobody writes into
 * {@code utf8}.
 */
public record AuditLine(long seq, String type, Instant time, String identity, String hash, byte[] utf8) {

    /** A line known as text (read back from a sink). */
    static AuditLine ofText(long seq, String type, Instant time, String identity, String hash, String text) {
        return new AuditLine(seq, type, time, identity, hash, text.getBytes(StandardCharsets.UTF_8));
    }

    public String text() {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
