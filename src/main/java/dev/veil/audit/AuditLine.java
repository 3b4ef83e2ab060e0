package dev.veil.audit;

import java.time.Instant;

/**
 * One sealed record as stored: its sequence number, type, time and identity (for indexes), its hash and
 * the exact JSON text (no newline).
 */
public record AuditLine(long seq, String type, Instant time, String identity, String hash, String text) {
}
