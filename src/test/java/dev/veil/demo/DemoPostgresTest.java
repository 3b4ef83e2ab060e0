package dev.veil.demo;

import dev.veil.demo.ShopData.Customer;
import dev.veil.demo.ShopData.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs one real embedded server for the whole class; starting one takes a few seconds. */
@Tag("servers")
class DemoPostgresTest {

    private static final ShopData DATA = ShopData.generate();

    private static DemoPostgres postgres;

    @BeforeAll
    static void startServer() throws Exception {
        postgres = DemoPostgres.start(0);
    }

    @AfterAll
    static void stopServer() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void listensOnLoopbackWithAFreePortChosenForUs() {
        assertThat(postgres.host()).isEqualTo("127.0.0.1");
        assertThat(postgres.port()).isPositive();
        assertThat(postgres.jdbcUrl("shop")).isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/shop");
    }

    @Test
    void runsWithDemoAndBenchmarkSettings() throws SQLException {
        try (Connection c = postgres.connect(DemoPostgres.MAINTENANCE_DATABASE)) {
            assertThat(show(c, "listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(show(c, "fsync")).isEqualTo("off");
            assertThat(show(c, "synchronous_commit")).isEqualTo("off");
            assertThat(show(c, "max_connections")).isEqualTo("200");
            assertThat(scalar(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("true");
        }
    }

    @Test
    void seedsShopWithExpectedRowCounts() throws SQLException {
        try (Connection c = postgres.connect("shop")) {
            assertThat(scalar(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
            assertThat(scalar(c, "SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id"
                    + " WHERE c.id IS NULL")).isEqualTo("0");
        }
    }

    @Test
    void storesTheGeneratedValuesExactly() throws SQLException {
        Customer first = DATA.customers().get(0);
        Order last = DATA.orders().get(DATA.orders().size() - 1);
        try (Connection c = postgres.connect("shop"); Statement s = c.createStatement()) {
            try (ResultSet rows = s.executeQuery("SELECT * FROM customers WHERE id = " + first.id())) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString("full_name")).isEqualTo(first.fullName());
                assertThat(rows.getString("email")).isEqualTo(first.email());
                assertThat(rows.getString("phone")).isEqualTo(first.phone());
                assertThat(rows.getString("ssn")).isEqualTo(first.ssn());
                assertThat(rows.getString("card_number")).isEqualTo(first.cardNumber());
                assertThat(rows.getObject("birth_date", LocalDate.class)).isEqualTo(first.birthDate());
                assertThat(rows.getString("city")).isEqualTo(first.city());
                assertThat(rows.getObject("created_at", OffsetDateTime.class).toInstant()).isEqualTo(first.createdAt());
            }
            try (ResultSet rows = s.executeQuery("SELECT * FROM orders WHERE id = " + last.id())) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt("customer_id")).isEqualTo(last.customerId());
                assertThat(rows.getBigDecimal("amount")).isEqualTo(last.amount());
                assertThat(rows.getString("status")).isEqualTo(last.status());
                assertThat(rows.getObject("created_at", OffsetDateTime.class).toInstant()).isEqualTo(last.createdAt());
            }
        }
    }

    @Test
    void customerContactsViewExposesOnlyIdNameAndEmail() throws SQLException {
        try (Connection c = postgres.connect("shop"); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT * FROM customer_contacts ORDER BY id")) {
            ResultSetMetaData meta = rows.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
            }
            assertThat(columns).containsExactly("id", "full_name", "email");
            int count = 0;
            while (rows.next()) {
                Customer expected = DATA.customers().get(count++);
                assertThat(rows.getInt("id")).isEqualTo(expected.id());
                assertThat(rows.getString("email")).isEqualTo(expected.email());
            }
            assertThat(count).isEqualTo(1000);
        }
    }

    @Test
    void hasTheForeignKeyAndTheCustomerIndexOnOrders() throws SQLException {
        try (Connection c = postgres.connect("shop")) {
            assertThat(scalar(c, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass"
                    + " AND confrelid = 'customers'::regclass AND contype = 'f'")).isEqualTo("1");
            assertThat(scalar(c, "SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_customer_id_idx'"))
                    .contains("(customer_id)");
            assertThat(scalar(c, "SELECT count(*) FROM pg_stats WHERE tablename = 'orders'")).isNotEqualTo("0");
        }
    }

    @Test
    void seedingAnAlreadySeededDatabaseChangesNothing() throws SQLException {
        try (Connection c = postgres.connect("shop")) {
            String tableBefore = scalar(c, "SELECT 'customers'::regclass::oid::text");
            boolean seeded = new ShopSeeder(ShopSeeder.Dialect.POSTGRESQL, DATA).seed(c);
            assertThat(seeded).isFalse();
            assertThat(scalar(c, "SELECT 'customers'::regclass::oid::text")).isEqualTo(tableBefore);
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
        }
    }

    @Test
    void reseedsADatabaseWhoseTablesAreIncomplete() throws SQLException {
        postgres.createDatabase("shop_incomplete");
        try (Connection c = postgres.connect("shop_incomplete")) {
            ShopSeeder seeder = new ShopSeeder(ShopSeeder.Dialect.POSTGRESQL, DATA);
            assertThat(seeder.seed(c)).isTrue();
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM orders WHERE id > 9000");
            }
            assertThat(seeder.seed(c)).isTrue();
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
        }
    }

    /** The path a non-pgjdbc connection (and MariaDB) takes must produce the same rows as COPY. */
    @Test
    void batchedInsertsSeedTheSameRowsAsCopy() throws SQLException {
        postgres.createDatabase("shop_batched");
        try (Connection c = postgres.connect("shop_batched")) {
            assertThat(new ShopSeeder(ShopSeeder.Dialect.POSTGRESQL, DATA).seed(withoutPgjdbcUnwrapping(c))).isTrue();
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo("10000");
        }
        String checksum = "SELECT md5(string_agg(c::text, ',' ORDER BY c.id)) FROM customers c";
        String orderChecksum = "SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM orders o";
        try (Connection copied = postgres.connect("shop"); Connection batched = postgres.connect("shop_batched")) {
            assertThat(scalar(batched, checksum)).isEqualTo(scalar(copied, checksum));
            assertThat(scalar(batched, orderChecksum)).isEqualTo(scalar(copied, orderChecksum));
        }
    }

    @Test
    void createDatabaseLeavesAnExistingDatabaseAlone() throws SQLException {
        assertThat(postgres.createDatabase("extra")).endsWith("/extra");
        try (Connection maintenance = postgres.connect(DemoPostgres.MAINTENANCE_DATABASE)) {
            assertThat(DemoPostgres.createDatabase(maintenance, "extra")).isFalse();
            assertThat(DemoPostgres.createDatabase(maintenance, "Odd \"name\"")).isTrue();
            assertThat(scalar(maintenance, "SELECT count(*) FROM pg_database WHERE datname = 'Odd \"name\"'"))
                    .isEqualTo("1");
        }
    }

    @Test
    void refusesToStartOnAPortThatIsAlreadyTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertThatThrownBy(() -> DemoPostgres.start(taken.getLocalPort()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void closingStopsTheServerAndRemovesItsDataDirectory() throws Exception {
        DemoPostgres second = DemoPostgres.start(0);
        assertThat(second.port()).isNotEqualTo(postgres.port());
        assertThat(second.dataDirectory()).isNotEqualTo(postgres.dataDirectory());
        second.close();
        assertThat(Files.exists(second.dataDirectory())).isFalse();
        assertThatThrownBy(() -> second.connect("shop").close()).isInstanceOf(SQLException.class);
    }

    private static String show(Connection c, String setting) throws SQLException {
        return scalar(c, "SHOW " + setting);
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            assertThat(rows.next()).as("a row from %s", sql).isTrue();
            return rows.getString(1);
        }
    }

    /** Hides the PGConnection interface so the seeder falls back to batched INSERTs. */
    private static Connection withoutPgjdbcUnwrapping(Connection delegate) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("isWrapperFor")) {
                        return false;
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
