package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * A server Veil connects to as a client, configured the same way wherever it appears: each upstream
 * ({@code veil.upstreams.<name>}) and the audit database ({@code veil.audit.postgres}). The password comes
 * from one of three sources (read at start-up by {@link EndpointPassword}).
 */
public interface Endpoint extends PasswordSource {
    String host();

    @WithDefault("5432")
    int port();

    String database();

    String user();

    /**
     * Log in without a password (none configured, or an empty one) although the server is not on loopback: for
     * a server that trusts Veil's address (trust authentication). On loopback and in demo mode no password is
     * needed; elsewhere, without this, an endpoint without a password stops start-up.
     */
    @WithDefault("false")
    boolean allowEmptyPassword();

    Tls tls();

    interface Tls {
        /** disable, prefer, require (no verification), verify-ca, verify-full (as libpq's sslmode). */
        @WithDefault("prefer")
        EndpointTlsMode mode();

        /** PEM file of the CA certificates to trust for verify-ca / verify-full. */
        Optional<String> caFile();
    }
}
