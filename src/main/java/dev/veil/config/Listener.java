package dev.veil.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * What both client-facing listeners share, under the same property names in {@code veil.pg} and
 * {@code veil.mysql}. Each listener adds its own port default and only what is truly its dialect's.
 */
public interface Listener {
    @WithDefault("true")
    boolean enabled();

    @WithDefault("127.0.0.1")
    String host();

    int port();

    /**
     * Upstream used when the client does not name one ({@code upstream/database} on PostgreSQL,
     * {@code upstream/schema} on MySQL); it must be of the listener's kind.
     */
    Optional<String> defaultUpstream();

    /** Client connections of this listener, logged in or not; beyond it new clients are refused (53300 / 1040). */
    @WithDefault("1000")
    int maxClientConnections();

    /**
     * Connections not logged in yet (TLS, startup, authentication), from accept until they are logged in or
     * close: beyond it new clients are refused (53300 / 1040), so that sockets that never log in cannot take
     * every connection. Logged-in sessions do not count.
     */
    @WithDefault("200")
    int maxAuthenticatingConnections();

    /** The same, from one client address: a single host cannot take all of the above. */
    @WithDefault("20")
    int maxAuthenticatingPerAddress();

    /**
     * Time a client has from accept to its startup message (PostgreSQL) or handshake response (MySQL), TLS
     * included; it then has the rest of authentication-timeout to log in (login-throttle waits come after it).
     */
    @WithDefault("10s")
    Duration startupTimeout();

    /** Time a client has to finish TLS, startup and authentication. */
    @WithDefault("30s")
    Duration authenticationTimeout();

    /**
     * Largest client message accepted after login: a PostgreSQL message, a MySQL command after joining its
     * 16 MB packets. Larger ones end the connection (08P01, errno 1153). 16 MiB: MariaDB's own max_allowed_packet
     * default, far above real statements, while Veil holds a whole message in memory to analyse and audit it.
     * Before login fixed, smaller caps apply: 10,000 bytes for a PostgreSQL startup packet, 16 kB for any other
     * message or packet.
     */
    @WithDefault("16777216")
    int maxMessageBytes();

    Tls tls();

    interface Tls {
        /** off: TLS is refused; optional: TLS on the client's request; required: plain-text clients are refused. */
        @WithDefault("optional")
        ListenerTlsMode mode();

        /** PEM certificate chain. Without it (and in demo mode) a self-signed certificate is generated. */
        Optional<String> certFile();

        /** PEM private key of the certificate; set with cert-file. */
        Optional<String> keyFile();
    }
}
