package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;

/**
 * A statement with its literals replaced by {@code ?}: the cache key for analyses.
 *
 * @param normalized the normalised text (keywords folded, literals and parameters as {@code ?}, lists of literals
 *                   collapsed, comments dropped, single spaces); compare it too when a hash matches
 * @param hash       a stable 64-bit hash of dialect and normalised text (same value in every JVM)
 */
public record Fingerprint(Dialect dialect, long hash, String normalized) {

    public String hex() {
        return String.format("%016x", hash);
    }
}
