package dev.veil.config;

import java.util.Locale;

/**
 * TLS towards a server Veil connects to, Veil as the client; the modes and their meaning are libpq's sslmode:
 * disable, prefer and require (encryption without certificate checks), verify-ca (the chain), verify-full
 * (the chain and the host name).
 */
public enum EndpointTlsMode {
    DISABLE, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

    /** As written in configuration and in libpq's sslmode: verify-full. */
    public String sslmode() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the server's certificate is checked against trusted CAs. */
    public boolean verifies() {
        return this == VERIFY_CA || this == VERIFY_FULL;
    }
}
