package dev.veil.upstream;

import dev.veil.analysis.Dialect;
import dev.veil.config.EndpointTlsMode;
import dev.veil.config.PoolingMode;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A named upstream server with everything needed to open and pool connections to it.
 *
 * @param roleUsers       the database users of Veil roles, in the order a session's login is chosen from them
 * @param requireRoleUser a session none of them applies to is refused, rather than logged in as {@code user}
 */
public record UpstreamSettings(
        String name,
        String kind,
        String host,
        int port,
        String defaultDatabase,
        String user,
        String password,
        TlsSettings tls,
        PoolSettings pool,
        List<DatabaseLogin> roleUsers,
        boolean requireRoleUser) {

    /**
     * Read-only users come first, then by role name: an identity holding several mapped roles gets the same
     * user every time, and the least it may do when one of its roles only reads.
     */
    private static final Comparator<DatabaseLogin> CHOICE_ORDER =
            Comparator.comparing((DatabaseLogin l) -> !l.readOnly()).thenComparing(DatabaseLogin::role);

    public UpstreamSettings {
        roleUsers = roleUsers.stream().sorted(CHOICE_ORDER).toList();
    }

    /** An upstream whose every session logs in as {@code user}. */
    public UpstreamSettings(String name, String kind, String host, int port, String defaultDatabase, String user,
                            String password, TlsSettings tls, PoolSettings pool) {
        this(name, kind, host, port, defaultDatabase, user, password, tls, pool, List.of(), false);
    }

    /** The upstream's own user, which sessions no role user applies to and Veil's control connections log in as. */
    public DatabaseLogin ownLogin() {
        return DatabaseLogin.upstreamUser(user, password);
    }

    /**
     * The login of a session whose identity holds {@code roles}: the first role user (in {@link #roleUsers()}'s
     * order) whose role is among them, else the upstream's own user; empty when none applies and
     * {@link #requireRoleUser()}.
     */
    public Optional<DatabaseLogin> loginFor(Collection<String> roles) {
        for (DatabaseLogin l : roleUsers) {
            if (roles.contains(l.role())) {
                return Optional.of(l);
            }
        }
        return requireRoleUser ? Optional.empty() : Optional.of(ownLogin());
    }

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
