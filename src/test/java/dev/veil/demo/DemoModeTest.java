package dev.veil.demo;

import dev.veil.config.EndpointTlsMode;
import dev.veil.config.VeilConfig;
import dev.veil.identity.LocalAccounts;
import dev.veil.identity.oidc.OidcProviders;
import dev.veil.upstream.DatabaseLogin;
import dev.veil.upstream.UpstreamRegistry;
import dev.veil.upstream.UpstreamSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.Driver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Demo mode wired from real configuration, with both embedded servers on ports chosen for us. */
@Tag("servers")
class DemoModeTest {

    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void startsBothDatabasesRegistersBothUpstreamsAndPrintsBothCommandLines() throws Exception {
        VeilConfig config = config(Map.of("veil.mysql.host", "127.0.0.1", "veil.mysql.port", "23306",
                "veil.identity.oidc.issuer", "https://sso.example.com/realms/acme/"));
        UpstreamRegistry upstreams = new UpstreamRegistry(vertx, config, new SimpleMeterRegistry());
        LocalAccounts accounts = new LocalAccounts(config);
        OidcProviders oidc = new OidcProviders(config, Clock.systemUTC());
        DemoMode demo = new DemoMode(config, upstreams, accounts, oidc);
        assertThat(demo.enabled()).isTrue();
        demo.start();
        UpstreamSettings mariadb;
        Path policy;
        try {
            UpstreamSettings postgres = upstreams.find(DemoMode.POSTGRES_UPSTREAM).orElseThrow();
            mariadb = upstreams.find(DemoMode.MARIADB_UPSTREAM).orElseThrow();
            assertThat(postgres.kind()).isEqualTo("postgresql");
            assertThat(mariadb.kind()).isEqualTo("mariadb");
            assertThat(mariadb.host()).isEqualTo("127.0.0.1");
            assertThat(mariadb.defaultDatabase()).isEqualTo("shop");
            assertThat(mariadb.user()).isEqualTo("root");
            assertThat(mariadb.password()).isNull();
            assertThat(mariadb.tls().mode()).isEqualTo(EndpointTlsMode.DISABLE);
            try (Connection c = rootConnection(mariadb); Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SELECT count(*) FROM customers")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1000);
            }
            assertThat(accounts.find("analyst")).isPresent();
            assertThat(postgres.roleUsers()).isEqualTo(mariadb.roleUsers()).containsExactly(
                    new DatabaseLogin("analyst", DemoDatabaseUsers.ANALYST_USER, null, true),
                    new DatabaseLogin("engineer", DemoDatabaseUsers.ENGINEER_USER, null, false));
            assertThat(oidc.providers()).singleElement().satisfies(p -> {
                assertThat(p.issuer()).isEqualTo("https://sso.example.com/realms/acme");
                assertThat(p.audiences()).containsExactly("veil-gateway");
                assertThat(p.userClaims()).startsWith("email");
                assertThat(p.roleMap()).containsEntry("analysts", "analyst").containsEntry("engineers", "engineer")
                        .containsEntry("admins", "admin");
            });

            policy = demo.policyFile();
            assertThat(policy).exists();
            String banner = demo.banner("127.0.0.1", 25432, 8081);
            assertThat(banner).contains("psql \"postgresql://admin@127.0.0.1:25432/shop\"")
                    .contains("mysql -h 127.0.0.1 -P 23306 -u analyst -panalyst-demo shop")
                    .contains("mysql -h 127.0.0.1 -P " + mariadb.port() + " -u root shop")
                    .contains("psql -h 127.0.0.1 -p " + postgres.port() + " -U postgres shop")
                    .contains("tokens of https://sso.example.com/realms/acme")
                    .contains("Edit " + policy + " and Veil reloads it")
                    .contains("Web console: http://127.0.0.1:8081/console");
        } finally {
            demo.stop();
        }
        assertThat(policy).as("the copy of the demo policy goes with the demo").doesNotExist();
        assertThatThrownBy(() -> rootConnection(mariadb).close()).isInstanceOf(SQLException.class);
    }

    @Test
    void theDemoDatabaseUsersHoldOnlyTheirRolesPrivileges() throws Exception {
        try (DemoPostgres postgres = DemoPostgres.start(0)) {
            try (Connection analyst = postgresAs(postgres, DemoDatabaseUsers.ANALYST_USER); Statement st = analyst.createStatement()) {
                assertThat(one(st, "SELECT count(*) FROM customers")).isEqualTo("1000");
                assertThat(one(st, "SHOW default_transaction_read_only")).as("the user's own default").isEqualTo("on");
                st.execute("SET default_transaction_read_only = off"); // only Veil stops this; the privileges remain
                assertSqlState(st, "UPDATE orders SET status = 'x' WHERE id = 1", "42501");
            }
            try (Connection engineer = postgresAs(postgres, DemoDatabaseUsers.ENGINEER_USER); Statement st = engineer.createStatement()) {
                assertThat(one(st, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("false");
                engineer.setAutoCommit(false);
                assertThat(st.executeUpdate("UPDATE orders SET status = status WHERE id = 1")).isEqualTo(1);
                engineer.rollback();
                engineer.setAutoCommit(true);
                assertSqlState(st, "ALTER TABLE orders ADD COLUMN note text", "42501");
                assertSqlState(st, "DROP TABLE customers CASCADE", "42501");
                assertSqlState(st, "TRUNCATE orders", "42501");
            }
        }
        try (DemoMariaDb mariadb = DemoMariaDb.start(0)) {
            try (Connection analyst = mariadbAs(mariadb, DemoDatabaseUsers.ANALYST_USER); Statement st = analyst.createStatement()) {
                assertThat(one(st, "SELECT count(*) FROM customers")).isEqualTo("1000");
                assertErrno(st, "UPDATE orders SET status = 'x' WHERE id = 1", 1142);
            }
            try (Connection engineer = mariadbAs(mariadb, DemoDatabaseUsers.ENGINEER_USER); Statement st = engineer.createStatement()) {
                engineer.setAutoCommit(false);
                st.executeUpdate("UPDATE orders SET status = status WHERE id = 1");
                engineer.rollback();
                assertErrno(st, "ALTER TABLE orders ADD COLUMN note text", 1142);
                assertErrno(st, "DROP TABLE customers", 1142);
                assertErrno(st, "TRUNCATE orders", 1142);
            }
        }
    }

    private static Connection postgresAs(DemoPostgres postgres, String user) throws SQLException {
        return java.sql.DriverManager.getConnection(postgres.jdbcUrl(DemoPostgres.SHOP_DATABASE), user, "");
    }

    private static Connection mariadbAs(DemoMariaDb mariadb, String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", "");
        return new Driver().connect("jdbc:mariadb://" + mariadb.host() + ":" + mariadb.port() + "/" + DemoMariaDb.SHOP_DATABASE, p);
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rows = st.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static void assertSqlState(Statement st, String sql, String sqlState) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql)
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(sqlState));
    }

    private static void assertErrno(Statement st, String sql, int errno) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql)
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(errno));
    }

    @Test
    void startsNoMariaDbWhileTheMySqlListenerIsDisabled() throws Exception {
        VeilConfig config = config(Map.of("veil.mysql.enabled", "false"));
        UpstreamRegistry upstreams = new UpstreamRegistry(vertx, config, new SimpleMeterRegistry());
        DemoMode demo = new DemoMode(config, upstreams, new LocalAccounts(config), new OidcProviders(config, Clock.systemUTC()));
        demo.start();
        try {
            assertThat(upstreams.find(DemoMode.POSTGRES_UPSTREAM)).isPresent();
            assertThat(upstreams.find(DemoMode.MARIADB_UPSTREAM)).isEmpty();
            assertThat(demo.banner("127.0.0.1", 15432, 8080)).contains("psql").doesNotContain("mysql");
        } finally {
            demo.stop();
        }
    }

    @Test
    void aMariaDbThatCannotStartFailsTheDemoAndStopsThePostgresAgain() throws Exception {
        int postgresPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            postgresPort = free.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            VeilConfig config = config(Map.of("veil.demo.mariadb-port", String.valueOf(taken.getLocalPort()),
                    "veil.demo.postgres-port", String.valueOf(postgresPort)));
            UpstreamRegistry upstreams = new UpstreamRegistry(vertx, config, new SimpleMeterRegistry());
            DemoMode demo = new DemoMode(config, upstreams, new LocalAccounts(config), new OidcProviders(config, Clock.systemUTC()));
            assertThatThrownBy(demo::start).isInstanceOf(IOException.class).hasMessageContaining("already in use");
            assertThat(upstreams.all()).isEmpty();
        }
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", postgresPort)); // the PostgreSQL that did start is gone
        }
    }

    private static Connection rootConnection(UpstreamSettings u) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", u.user());
        p.setProperty("password", "");
        return new Driver().connect("jdbc:mariadb://" + u.host() + ":" + u.port() + "/" + u.defaultDatabase(), p);
    }

    /** The real mapping with its defaults, both demo databases on free ports unless overridden. */
    private static VeilConfig config(Map<String, String> overrides) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withMapping(VeilConfig.class)
                // Quarkus' converter, which reads "30s" as the application does
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValue("veil.demo.postgres-port", "0")
                .withDefaultValue("veil.demo.mariadb-port", "0");
        SmallRyeConfig built = builder.withSources(new PropertiesConfigSource(overrides, "test", 500))
                .build();
        return built.getConfigMapping(VeilConfig.class);
    }
}
