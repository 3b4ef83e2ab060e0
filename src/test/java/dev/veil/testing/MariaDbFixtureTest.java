package dev.veil.testing;

import dev.veil.testing.MariaDbServer.Account;
import dev.veil.testing.MariaDbServer.Flavour;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The MySQL-side fixture does what the gateway tests rely on: every account logs in with both drivers users run,
 * the plugins are the advertised ones, the shop data is there, and TLS verifies against the fixture's CA (and
 * only against it).
 */
@Tag("servers")
class MariaDbFixtureTest {

    @Test
    void theSharedServerIsStartedOncePerJvm() {
        assertThat(MariaDbServers.shared()).isSameAs(MariaDbServers.shared());
        assertThat(MariaDbServers.all()).first().isSameAs(MariaDbServers.shared());
        assertThat(MariaDbServers.shared().flavour()).isEqualTo(Flavour.MARIADB);
    }

    @EveryMariaDbServer
    void everyAccountLogsInWithMariaDbConnectorJ(MariaDbServer server) throws SQLException {
        for (Account account : server.accounts()) {
            // Over TLS, so that the TLS-only and caching_sha2 accounts are covered by the same loop.
            try (Connection c = login(server.mariadbUrl("shop", server.mariadbVerifyCaParameters()), account)) {
                assertThat(scalar(c, "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)")).as("%s", account).isEqualTo(account.user());
                assertThat(scalar(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
            }
        }
    }

    @EveryMariaDbServer
    void everyAccountButEd25519LogsInWithMySqlConnectorJ(MariaDbServer server) throws SQLException {
        for (Account account : server.accounts()) {
            if (account.plugin().equals(MariaDbProvisioner.ED25519_PLUGIN)) {
                continue; // MySQL Connector/J has no client side for MariaDB's ed25519
            }
            try (Connection c = login(server.mysqlUrl("shop", server.mysqlVerifyCaParameters()), account)) {
                assertThat(scalar(c, "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)")).as("%s", account).isEqualTo(account.user());
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
            }
        }
    }

    @EveryMariaDbServer
    void theNativeUserLogsInWithoutTlsWithBothDrivers(MariaDbServer server) throws SQLException {
        Account user = server.nativeUser();
        try (Connection c = login(server.mariadbUrl("shop", "sslMode=disable"), user)) {
            assertThat(sessionStatus(c, "Ssl_cipher")).isEmpty();
            assertThat(scalar(c, "SELECT count(*) FROM customer_contacts")).isEqualTo("1000");
        }
        try (Connection c = login(server.mysqlUrl("shop", "sslMode=DISABLED"), user)) {
            assertThat(sessionStatus(c, "Ssl_cipher")).isEmpty();
            assertThat(scalar(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
        }
    }

    @EveryMariaDbServer
    void accountsAreStoredWithTheAdvertisedPlugins(MariaDbServer server) throws SQLException {
        try (Connection c = server.connectAsRoot("")) {
            for (Account account : server.accounts()) {
                if (account.equals(server.root())) {
                    continue;
                }
                assertThat(scalar(c, "SELECT plugin FROM mysql.user WHERE user = '" + account.user() + "' AND host = '%'"))
                        .as("%s", account).isEqualTo(account.plugin());
            }
            assertThat(scalar(c, "SELECT count(*) FROM mysql.user WHERE user = ''")).isEqualTo("0");
        }
    }

    @EveryMariaDbServer
    void theOptionalAccountsExistExactlyWhereTheServerSupportsThem(MariaDbServer server) throws SQLException {
        assertThat(server.cachingSha2User().isPresent()).isEqualTo(server.flavour() == Flavour.MYSQL);
        try (Connection c = server.connectAsRoot("")) {
            boolean ed25519Active = "ACTIVE".equals(scalarOrNull(c,
                    "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'"));
            assertThat(server.ed25519User().isPresent()).isEqualTo(server.flavour() == Flavour.MARIADB && ed25519Active);
        }
    }

    @EveryMariaDbServer
    void wrongPasswordsAreRefused(MariaDbServer server) {
        Account wrong = new Account(server.nativeUser().user(), "not-the-password", MariaDbProvisioner.NATIVE_PLUGIN);
        assertThatThrownBy(() -> login(server.mariadbUrl("shop", "sslMode=disable"), wrong).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
        assertThatThrownBy(() -> login(server.mysqlUrl("shop", "sslMode=DISABLED"), wrong).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
    }

    @EveryMariaDbServer
    void verifiedTlsIsInUseWithBothDrivers(MariaDbServer server) throws SQLException {
        try (Connection c = login(server.mariadbUrl("shop", server.mariadbVerifyCaParameters()), server.nativeUser())) {
            assertThat(sessionStatus(c, "Ssl_version")).startsWith("TLSv1.");
            assertThat(sessionStatus(c, "Ssl_cipher")).isNotEmpty();
        }
        try (Connection c = login(server.mysqlUrl("shop", server.mysqlVerifyCaParameters()), server.nativeUser())) {
            assertThat(sessionStatus(c, "Ssl_version")).startsWith("TLSv1.");
        }
    }

    @EveryMariaDbServer
    void theTlsOnlyUserIsRefusedWithoutTls(MariaDbServer server) {
        assertThatThrownBy(() -> login(server.mariadbUrl("shop", "sslMode=disable"), server.tlsOnlyUser()).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
        assertThatThrownBy(() -> login(server.mysqlUrl("shop", "sslMode=DISABLED"), server.tlsOnlyUser()).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
    }

    /** Verification is real: a certificate from another CA is rejected by both drivers. */
    @EveryMariaDbServer
    void verificationAgainstAnotherCaFails(MariaDbServer server, @TempDir Path dir) throws Exception {
        TestCertificates other = TestCertificates.create(dir, "Some other CA");
        assertThatThrownBy(() -> login(server.mariadbUrl("shop", "sslMode=verify-ca&serverSslCert=" + other.caFile()),
                server.nativeUser()).close()).isInstanceOf(SQLException.class);
        String mysqlTls = "sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=" + other.trustStore().toUri()
                + "&trustCertificateKeyStoreType=PKCS12&trustCertificateKeyStorePassword=" + other.trustStorePassword();
        assertThatThrownBy(() -> login(server.mysqlUrl("shop", mysqlTls), server.nativeUser()).close())
                .isInstanceOf(SQLException.class);
    }

    @EveryMariaDbServer
    void theShopDatabaseIsSeeded(MariaDbServer server) throws SQLException {
        try (Connection c = server.connect(server.nativeUser(), MariaDbServer.DATABASE)) {
            assertThat(scalar(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
            assertThat(scalar(c, "SELECT email FROM customer_contacts WHERE id = 1")).contains("@");
            assertThat(scalar(c, "SELECT @@collation_database")).isEqualTo("utf8mb4_bin");
        }
    }

    private static Connection login(String url, Account account) throws SQLException {
        return MariaDbServer.open(url, account);
    }

    private static String sessionStatus(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SHOW SESSION STATUS LIKE '" + name + "'")) {
            assertThat(rows.next()).as("status %s", name).isTrue();
            return rows.getString(2);
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        String value = scalarOrNull(c, sql);
        assertThat(value).as("a value from %s", sql).isNotNull();
        return value;
    }

    private static String scalarOrNull(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }
}
