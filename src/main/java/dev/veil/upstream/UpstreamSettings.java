package dev.veil.upstream;

import dev.veil.analysis.Dialect;
import dev.veil.config.EndpointTlsMode;
import dev.veil.config.PoolingMode;

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

    public record TlsSettings(EndpointTlsMode mode, String caFile) {
    }

    /**
     * @param idlePoolTimeout how long the pool of a database other than the configured one lives without a lease
     */
    public record PoolSettings(int minSize, int maxSize, Duration idleTimeout, Duration acquireTimeout,
                               Duration connectTimeout, Duration healthCheckAfterIdle,
                               Duration maintenanceInterval, Duration idlePoolTimeout, PoolingMode mode) {
        /** Session pooling. */
        public PoolSettings(int minSize, int maxSize, Duration idleTimeout, Duration acquireTimeout,
                            Duration connectTimeout, Duration healthCheckAfterIdle,
                            Duration maintenanceInterval, Duration idlePoolTimeout) {
            this(minSize, maxSize, idleTimeout, acquireTimeout, connectTimeout, healthCheckAfterIdle, maintenanceInterval,
                    idlePoolTimeout, PoolingMode.SESSION);
        }

        public boolean transactionPooling() {
            return mode == PoolingMode.TRANSACTION;
        }
    }

    /** The wire and SQL dialect of the server: kind postgresql, or mysql / mariadb (one dialect). */
    public Dialect dialect() {
        return kind.equalsIgnoreCase("postgresql") ? Dialect.POSTGRESQL : Dialect.MYSQL;
    }

    @Override
    public String toString() {
        // Never print the password; say when there is none (the server must trust Veil's address).
        return "Upstream[" + name + " " + kind + "://" + user + "@" + host + ":" + port + "/" + defaultDatabase
                + (password == null ? ", without a password" : "") + "]";
    }
}
