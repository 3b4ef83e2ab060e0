package dev.veil.demo;

import dev.veil.demo.ShopData.Customer;
import dev.veil.demo.ShopData.Order;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Creates the {@code shop} schema (customers, orders, the customer_contacts view) in the database a JDBC
 * connection points at, and fills it from {@link ShopData}.
 *
 * <p>Seeding is idempotent: when both tables and the view exist and the tables hold exactly the expected
 * number of rows, nothing is touched. Anything else under those three names (a half-finished earlier run,
 * an older shape of the data) is dropped and rebuilt, so point this only at demo databases.
 */
public final class ShopSeeder {

    public enum Dialect { POSTGRESQL, MARIADB }

    private static final Logger LOG = Logger.getLogger(ShopSeeder.class);

    /** Rows per JDBC batch: large enough to amortise round trips, small enough to keep packets modest on MariaDB. */
    private static final int BATCH_SIZE = 1_000;

    private static final String CUSTOMER_COLUMNS =
            "id, full_name, email, phone, ssn, card_number, birth_date, city, created_at";
    private static final String ORDER_COLUMNS = "id, customer_id, amount, status, created_at";

    /** Explicit offset rather than Instant.toString(), so COPY's parsing never depends on the session time zone. */
    private static final DateTimeFormatter COPY_TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private final Dialect dialect;
    private final ShopData data;

    public ShopSeeder(Dialect dialect, ShopData data) {
        this.dialect = dialect;
        this.data = data;
    }

    /**
     * Brings the connection's current schema (PostgreSQL) or database (MariaDB) to the seeded state.
     * The connection's auto-commit setting is restored afterwards.
     *
     * @return true if tables were (re)created and filled, false if they were already seeded
     */
    public boolean seed(Connection connection) throws SQLException {
        if (isSeeded(connection)) {
            return false;
        }
        long started = System.nanoTime();
        boolean autoCommit = connection.getAutoCommit();
        // On PostgreSQL the DDL is transactional too, so a failed seed leaves no half-built schema behind.
        // MariaDB commits implicitly at each DDL statement; the next run's isSeeded check covers that case.
        connection.setAutoCommit(false);
        try {
            execute(connection, List.of(
                    "DROP VIEW IF EXISTS customer_contacts",
                    "DROP TABLE IF EXISTS orders",
                    "DROP TABLE IF EXISTS customers"));
            execute(connection, createStatements());
            if (dialect == Dialect.POSTGRESQL && connection.isWrapperFor(PGConnection.class)) {
                copyRows(connection.unwrap(PGConnection.class));
            } else {
                insertRows(connection);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        analyze(connection);
        LOG.infof("Seeded shop (%d customers, %d orders) in %d ms", data.customers().size(),
                data.orders().size(), (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    private boolean isSeeded(Connection connection) throws SQLException {
        String currentSchema = dialect == Dialect.POSTGRESQL ? "current_schema()" : "DATABASE()";
        long objects = count(connection, "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                + currentSchema + " AND table_name IN ('customers', 'orders', 'customer_contacts')");
        return objects == 3
                && count(connection, "SELECT count(*) FROM customers") == data.customers().size()
                && count(connection, "SELECT count(*) FROM orders") == data.orders().size();
    }

    private List<String> createStatements() {
        String view = "CREATE VIEW customer_contacts AS SELECT id, full_name, email FROM customers";
        return switch (dialect) {
            case POSTGRESQL -> List.of(
                    """
                    CREATE TABLE customers (
                        id          integer PRIMARY KEY,
                        full_name   text NOT NULL,
                        email       varchar(254) NOT NULL UNIQUE,
                        phone       varchar(32) NOT NULL,
                        ssn         varchar(11) NOT NULL,
                        card_number varchar(19) NOT NULL,
                        birth_date  date NOT NULL,
                        city        text NOT NULL,
                        created_at  timestamptz NOT NULL
                    )""",
                    """
                    CREATE TABLE orders (
                        id          bigint PRIMARY KEY,
                        customer_id integer NOT NULL REFERENCES customers (id),
                        amount      numeric(10,2) NOT NULL,
                        status      varchar(16) NOT NULL,
                        created_at  timestamptz NOT NULL
                    )""",
                    "CREATE INDEX orders_customer_id_idx ON orders (customer_id)",
                    view);
            // DATETIME(6) has no zone: values are written as UTC. The index is declared inline so that
            // InnoDB uses it for the foreign key instead of creating a second, implicit one. utf8mb4_bin makes
            // comparisons and ORDER BY behave like PostgreSQL's C collation (case-sensitive, code-point order),
            // so both demos answer the same queries alike; it must be named here, because a table that names
            // its charset gets that charset's default collation, not the database's.
            case MARIADB -> List.of(
                    """
                    CREATE TABLE customers (
                        id          INT NOT NULL PRIMARY KEY,
                        full_name   VARCHAR(200) NOT NULL,
                        email       VARCHAR(254) NOT NULL,
                        phone       VARCHAR(32) NOT NULL,
                        ssn         VARCHAR(11) NOT NULL,
                        card_number VARCHAR(19) NOT NULL,
                        birth_date  DATE NOT NULL,
                        city        VARCHAR(100) NOT NULL,
                        created_at  DATETIME(6) NOT NULL,
                        UNIQUE KEY customers_email_key (email)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
                    """
                    CREATE TABLE orders (
                        id          BIGINT NOT NULL PRIMARY KEY,
                        customer_id INT NOT NULL,
                        amount      DECIMAL(10,2) NOT NULL,
                        status      VARCHAR(16) NOT NULL,
                        created_at  DATETIME(6) NOT NULL,
                        KEY orders_customer_id_idx (customer_id),
                        CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
                    view);
        };
    }

    /** COPY is one round trip per table instead of one per batch; on the demo's 11k rows it is the difference that matters at startup. */
    private void copyRows(PGConnection connection) throws SQLException {
        StringBuilder customers = new StringBuilder(data.customers().size() * 160);
        for (Customer c : data.customers()) {
            copyLine(customers, c.id(), c.fullName(), c.email(), c.phone(), c.ssn(), c.cardNumber(),
                    c.birthDate(), c.city(), COPY_TIMESTAMP.format(c.createdAt()));
        }
        StringBuilder orders = new StringBuilder(data.orders().size() * 64);
        for (Order o : data.orders()) {
            copyLine(orders, o.id(), o.customerId(), o.amount().toPlainString(), o.status(),
                    COPY_TIMESTAMP.format(o.createdAt()));
        }
        try {
            connection.getCopyAPI().copyIn("COPY customers (" + CUSTOMER_COLUMNS + ") FROM STDIN",
                    new StringReader(customers.toString()));
            connection.getCopyAPI().copyIn("COPY orders (" + ORDER_COLUMNS + ") FROM STDIN",
                    new StringReader(orders.toString()));
        } catch (IOException e) {
            // Only a StringReader is read, so this can only come from the connection itself.
            throw new SQLException("COPY into shop tables failed", e);
        }
    }

    /** One line of COPY's text format: tab-separated, with the characters that format treats specially escaped. */
    private static void copyLine(StringBuilder out, Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            String value = String.valueOf(values[i]);
            for (int j = 0; j < value.length(); j++) {
                char ch = value.charAt(j);
                switch (ch) {
                    case '\\' -> out.append("\\\\");
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    default -> out.append(ch);
                }
            }
        }
        out.append('\n');
    }

    private void insertRows(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO customers (" + CUSTOMER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int pending = 0;
            for (Customer c : data.customers()) {
                insert.setInt(1, c.id());
                insert.setString(2, c.fullName());
                insert.setString(3, c.email());
                insert.setString(4, c.phone());
                insert.setString(5, c.ssn());
                insert.setString(6, c.cardNumber());
                insert.setObject(7, c.birthDate());
                insert.setString(8, c.city());
                insert.setObject(9, timestamp(c.createdAt()));
                pending = addToBatch(insert, pending);
            }
            insert.executeBatch();
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO orders (" + ORDER_COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
            int pending = 0;
            for (Order o : data.orders()) {
                insert.setLong(1, o.id());
                insert.setInt(2, o.customerId());
                insert.setBigDecimal(3, o.amount());
                insert.setString(4, o.status());
                insert.setObject(5, timestamp(o.createdAt()));
                pending = addToBatch(insert, pending);
            }
            insert.executeBatch();
        }
    }

    private static int addToBatch(PreparedStatement insert, int pending) throws SQLException {
        insert.addBatch();
        if (pending + 1 < BATCH_SIZE) {
            return pending + 1;
        }
        insert.executeBatch();
        return 0;
    }

    /** timestamptz takes an offset-carrying value; DATETIME takes the UTC wall-clock time. */
    private Object timestamp(Instant instant) {
        return dialect == Dialect.POSTGRESQL
                ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC)
                : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** Fresh statistics, so the planner (and any benchmark) sees realistic plans from the first query. */
    private void analyze(Connection connection) throws SQLException {
        execute(connection, dialect == Dialect.POSTGRESQL
                ? List.of("ANALYZE customers", "ANALYZE orders")
                : List.of("ANALYZE TABLE customers, orders"));
    }

    private static void execute(Connection connection, List<String> statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
