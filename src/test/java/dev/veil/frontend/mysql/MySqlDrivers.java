package dev.veil.frontend.mysql;

import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** The two drivers users run, connected through Veil or straight to the server with the same settings. */
enum MySqlDrivers {
    MARIADB_CONNECTOR_J, MYSQL_CONNECTOR_J;

    Connection veil(String database, String extra) throws SQLException {
        String url = this == MARIADB_CONNECTOR_J ? VeilTestResource.veilMariadbUrl(database, extra)
                : VeilTestResource.veilMysqlUrl(database, extra);
        return DriverManager.getConnection(url, props(VeilTestResource.USER, VeilTestResource.PASSWORD));
    }

    Connection veil(String extra) throws SQLException {
        return veil(MariaDbServer.DATABASE, extra);
    }

    Connection direct(String extra) throws SQLException {
        MariaDbServer server = VeilTestResource.mariadb();
        MariaDbServer.Account a = server.nativeUser();
        String url = this == MARIADB_CONNECTOR_J
                ? server.mariadbUrl(MariaDbServer.DATABASE, "sslMode=disable" + (extra.isEmpty() ? "" : "&" + extra))
                : server.mysqlUrl(MariaDbServer.DATABASE, "sslMode=DISABLED&allowPublicKeyRetrieval=true" + (extra.isEmpty() ? "" : "&" + extra));
        return DriverManager.getConnection(url, props(a.user(), a.password()));
    }

    static Properties props(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return p;
    }
}
