package dev.veil.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A real MariaDB or MySQL server for tests, however it was started (see {@link MariaDbServers}), provisioned by
 * {@link MariaDbProvisioner}: database {@value #DATABASE} seeded with the shop data, TLS on with a certificate
 * signed by {@link #caFile()}, and the accounts below, each with every privilege on every database.
 */
public interface MariaDbServer {

    String DATABASE = "shop";

    enum Flavour { MARIADB, MYSQL }

    /** A login on the server; {@code plugin} is the authentication plugin the account is stored with. */
    record Account(String user, String password, String plugin) {
        @Override
        public String toString() {
            return user + " (" + plugin + ")"; // never the password
        }
    }

    Flavour flavour();

    String host();

    int port();

    /** The server's own version string, e.g. {@code 11.4.5-MariaDB} or {@code 8.0.44}. */
    String version();

    String description();

    /** The administrative account (embedded: root without a password; containers: root with one). */
    Account root();

    /** mysql_native_password, on every flavour. */
    Account nativeUser();

    /** mysql_native_password, created {@code REQUIRE SSL}: the server refuses it on a plain connection. */
    Account tlsOnlyUser();

    /** ed25519: MariaDB only, and only where the server ships the auth_ed25519 plugin (the embedded one does not). */
    Optional<Account> ed25519User();

    /** caching_sha2_password: MySQL only (MariaDB has no such server plugin). */
    Optional<Account> cachingSha2User();

    /** PEM of the CA that signed the server certificate: what {@code verify-ca} / {@code verify-full} must trust. */
    Path caFile();

    /** The same CA as a PKCS#12 trust store, for MySQL Connector/J. */
    Path caTrustStore();

    String caTrustStorePassword();

    /** Every account the server has, the optional ones only when present. */
    default List<Account> accounts() {
        List<Account> all = new ArrayList<>(List.of(root(), nativeUser(), tlsOnlyUser()));
        ed25519User().ifPresent(all::add);
        cachingSha2User().ifPresent(all::add);
        return all;
    }

    /** MariaDB Connector/J URL; {@code parameters} without the leading '?', may be empty. */
    default String mariadbUrl(String database, String parameters) {
        return "jdbc:mariadb://" + host() + ":" + port() + "/" + database + (parameters.isEmpty() ? "" : "?" + parameters);
    }

    /** MySQL Connector/J URL; {@code parameters} without the leading '?', may be empty. */
    default String mysqlUrl(String database, String parameters) {
        return "jdbc:mysql://" + host() + ":" + port() + "/" + database + (parameters.isEmpty() ? "" : "?" + parameters);
    }

    /** MariaDB Connector/J parameters for TLS that verifies the server's chain against {@link #caFile()}. */
    default String mariadbVerifyCaParameters() {
        return "sslMode=verify-ca&serverSslCert=" + caFile();
    }

    /** MySQL Connector/J parameters for TLS that verifies the server's chain against {@link #caTrustStore()}. */
    default String mysqlVerifyCaParameters() {
        return "sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=" + caTrustStore().toUri()
                + "&trustCertificateKeyStoreType=PKCS12&trustCertificateKeyStorePassword=" + caTrustStorePassword();
    }

    /**
     * A plain (no TLS) MariaDB Connector/J connection as {@code account}; the caller closes it. Public-key
     * retrieval is allowed so that caching_sha2_password accounts (MySQL's root among them) can complete their
     * full authentication without TLS.
     */
    default Connection connect(Account account, String database) throws SQLException {
        return open(mariadbUrl(database, "sslMode=disable&allowPublicKeyRetrieval=true"), account);
    }

    /**
     * Opens a {@code jdbc:mariadb:} or {@code jdbc:mysql:} URL as {@code account} through the driver class itself.
     * Prefer this to DriverManager in plain (non-Quarkus) tests: DriverManager only offers drivers loaded by the
     * caller's class loader, and once a {@code @QuarkusTest} ran first in the JVM it may know only Quarkus' copy
     * of the driver ("No suitable driver found").
     */
    static Connection open(String url, Account account) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", account.user());
        properties.setProperty("password", account.password());
        java.sql.Driver driver;
        if (url.startsWith("jdbc:mariadb:")) {
            driver = new org.mariadb.jdbc.Driver();
        } else if (url.startsWith("jdbc:mysql:")) {
            driver = new com.mysql.cj.jdbc.Driver();
        } else {
            throw new SQLException("not a MariaDB or MySQL JDBC URL: " + url);
        }
        return driver.connect(url, properties);
    }

    default Connection connectAsRoot(String database) throws SQLException {
        return connect(root(), database);
    }
}
