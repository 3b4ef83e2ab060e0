package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * {@code veil.access.*}: just-in-time access requests and grants (docs/access.md). They live in a table of the
 * approvals' control-plane database (veil.approvals.control-plane, else the audit table's, else the demo's), so
 * every Veil instance sharing it sees the same grants.
 */
public interface AccessSettings {
    /** The requests and grants table (created if missing); optionally schema-qualified. */
    @WithDefault("veil_access_grants")
    String table();

    /** How long a request stays open for approvers to decide. */
    @WithDefault("24h")
    Duration requestLifetime();

    /**
     * How long a new session of an identity that may hold grants waits for the control plane to list them; past it
     * the session opens without any granted role, saying why (fail closed).
     */
    @WithDefault("2s")
    Duration lookupTimeout();

    /** How often sessions opened under a grant are checked for its end or revocation (they are then ended). */
    @WithDefault("5s")
    Duration checkInterval();
}
