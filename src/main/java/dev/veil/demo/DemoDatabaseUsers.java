package dev.veil.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database users the demo's roles reach the embedded servers as, so the database's own privileges back the
 * policy: {@code analyst} reads the shop data only (and its connections run read-only), {@code engineer} reads
 * and writes its rows but is no superuser and owns none of the shop's tables (no DDL on them, no TRUNCATE),
 * {@code admin} keeps the superuser. Both servers listen on loopback only and trust it, as for the superuser:
 * no passwords. Created idempotently after the shop data is seeded.
 */
public final class DemoDatabaseUsers {
    public static final String ANALYST_ROLE = "analyst";
    public static final String ENGINEER_ROLE = "engineer";
    public static final String ANALYST_USER = "veil_analyst";
    public static final String ENGINEER_USER = "veil_engineer";

    private DemoDatabaseUsers() {
    }

    /**
     * Creates both users on a PostgreSQL server (roles are server-wide) and grants them the shop tables of the
     * database {@code shop} is connected to, and those the superuser creates there later.
     */
    static void createOnPostgres(Connection shop) throws SQLException {
        execute(shop, List.of(
                createRole(ANALYST_USER),
                createRole(ENGINEER_USER),
                // Belt and braces: the server's own default for the user, whatever connects as it.
                "ALTER ROLE " + ANALYST_USER + " SET default_transaction_read_only = on",
                "GRANT USAGE ON SCHEMA public TO " + ANALYST_USER + ", " + ENGINEER_USER,
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + ANALYST_USER,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + ENGINEER_USER,
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + ENGINEER_USER,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + DemoPostgres.SUPERUSER + " IN SCHEMA public GRANT SELECT ON TABLES TO "
                        + ANALYST_USER,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + DemoPostgres.SUPERUSER + " IN SCHEMA public"
                        + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + ENGINEER_USER,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + DemoPostgres.SUPERUSER + " IN SCHEMA public"
                        + " GRANT USAGE, SELECT ON SEQUENCES TO " + ENGINEER_USER));
    }

    /** Creates both users on a MariaDB server, with rights on database {@code database} only. */
    static void createOnMariaDb(Connection connection, String database) throws SQLException {
        String on = " ON `" + database.replace("`", "``") + "`.* TO ";
        execute(connection, List.of(
                "CREATE USER IF NOT EXISTS " + ANALYST_USER + "@'%'",
                "CREATE USER IF NOT EXISTS " + ENGINEER_USER + "@'%'",
                "GRANT SELECT" + on + ANALYST_USER + "@'%'",
                "GRANT SELECT, INSERT, UPDATE, DELETE" + on + ENGINEER_USER + "@'%'"));
    }

    private static String createRole(String user) {
        return "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '" + user + "') THEN"
                + " CREATE ROLE " + user + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION; END IF; END$$";
    }

    private static void execute(Connection connection, List<String> statements) throws SQLException {
        try (Statement s = connection.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
