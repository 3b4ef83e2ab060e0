package dev.veil.mcp;

import dev.veil.identity.Identity;

/**
 * Who called the MCP endpoint, as its bearer proved: the identity, and the user name and secret with which its
 * statements log in to Veil's own PostgreSQL listener (the same token; it goes no further than Veil: the
 * database sees Veil's database users, never the token).
 */
record McpCaller(Identity identity, String wireUser, String secret, String address) {
    @Override
    public String toString() {
        return "McpCaller[" + identity.name() + "]"; // never the secret
    }
}
