package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The MCP endpoint on Veil's HTTP port (veil.mcp): who may call it and how much a query may return. See docs/agents.md. */
public interface McpSettings {
    @WithDefault("true")
    boolean enabled();

    /**
     * The audience a token must carry to be accepted at /mcp (RFC 8707). Unset: the resource URL itself, or the
     * audience the provider accepts for the wire (veil.identity.oidc.audience).
     */
    Optional<String> audience();

    /** The resource URL published in the protected-resource metadata; unset: taken from the request's host. */
    Optional<String> resource();

    /**
     * The database (or upstream/database) the tools use when a call names none. Unset: the PostgreSQL listener's
     * default upstream and its own database.
     */
    Optional<String> defaultDatabase();

    /** Rows a query result holds at most; the rest is cut and the result says truncated. */
    @WithDefault("500")
    int maxRows();

    /** Bytes of cell text a query result holds at most. */
    @WithDefault("1000000")
    int maxBytes();

    /** How long a query may run before it is cancelled (statement_timeout on the session). */
    @WithDefault("30s")
    Duration queryTimeout();

    /**
     * Bearer secrets that are not tokens: {@code <account>:<password>} of an account Veil holds. For the demo,
     * which has no identity provider; keep it off anywhere else (the default).
     */
    @WithDefault("false")
    boolean accountBearer();
}
