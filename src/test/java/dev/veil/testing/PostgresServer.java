package dev.veil.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A real PostgreSQL server for tests, however it was started. */
public interface PostgresServer extends AutoCloseable {
    String host();

    int port();

    String superuser();

    String superuserPassword();

    String description();

    default String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database + "?sslmode=disable";
    }

    default Connection connectAsSuperuser(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), superuser(), superuserPassword());
    }

    @Override
    void close();
}
