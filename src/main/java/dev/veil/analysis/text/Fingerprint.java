package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;

import java.util.HexFormat;

/**
 * A statement with its literals replaced by {@code ?}: the cache key for analyses.
 *
 * @param normalized the normalised text (keywords folded, literals and parameters as {@code ?}, lists of literals
 *                   collapsed, comments dropped, single spaces); compare it too when a hash matches
 * @param hash       a stable 64-bit hash of dialect and normalised text (same value in every JVM)
 */
public record Fingerprint(Dialect dialect, long hash, String normalized) {

    /** Sixteen hex digits (String.format parsed its pattern on every statement). */
    public String hex() {
        return HexFormat.of().toHexDigits(hash);
    }
}
