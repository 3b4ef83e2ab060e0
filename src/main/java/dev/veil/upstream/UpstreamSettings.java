package dev.veil.upstream;

import dev.veil.analysis.Dialect;

import java.time.Duration;

/** A named upstream server with everything needed to open and pool connections to it. */
public record UpstreamSettings(
        String name,
        String kind,
        String host,
        int port,
        String defaultDatabase,
        String user,
        String password,
        TlsSettings tls,
        PoolSettings pool) {

    public enum TlsMode { DISABLE, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

        public static TlsMode parse(String s) {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    public record TlsSettings(TlsMode mode, String caFile) {
    }

    public record PoolSettings(int minSize, int maxSize, Duration idleTimeout, Duration acquireTimeout,
                               Duration connectTimeout, Duration healthCheckAfterIdle,
                               Duration maintenanceInterval) {
    }

    /** The wire and SQL dialect of the server: kind postgresql, or mysql / mariadb (one dialect). */
    public Dialect dialect() {
        return kind.equalsIgnoreCase("postgresql") ? Dialect.POSTGRESQL : Dialect.MYSQL;
    }

    @Override
    public String toString() {
        // Never print the password.
        return "Upstream[" + name + " " + kind + "://" + user + "@" + host + ":" + port + "/" + defaultDatabase + "]";
    }
}
