package dev.veil.config;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Caffeine chooses its generated cache and node classes by name at run time (weak keys + maximum size → WSMS
 * with FSMS nodes; maximum size → SSMS with PSMS nodes). A native image must be told about the
 * ones Veil's caches use (StatementAnalysis, AnalysisCache), or building the cache fails at start-up.
 */
@RegisterForReflection(classNames = {
        "com.github.benmanes.caffeine.cache.WSMS", "com.github.benmanes.caffeine.cache.FSMS",
        "com.github.benmanes.caffeine.cache.SSMS",
        "com.github.benmanes.caffeine.cache.PSMS"})
final class NativeReflection {
    private NativeReflection() {
    }
}
