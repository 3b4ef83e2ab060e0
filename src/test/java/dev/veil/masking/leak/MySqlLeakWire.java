package dev.veil.masking.leak;

import dev.veil.analysis.Dialect;
import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The leak contract on the MySQL wire, to MariaDB: MariaDB Connector/J in text and binary (COM_STMT_PREPARE) rows,
 * MySQL Connector/J in text rows and with cursor fetch (COM_STMT_FETCH, a row at a time); the mariadb client.
 */
final class MySqlLeakWire implements LeakWire {
    private static final String MARIADB_TEXT = "MariaDB Connector/J text rows";
    private static final String MARIADB_BINARY = "MariaDB Connector/J binary rows (useServerPrepStmts)";
    private static final String MYSQL_TEXT = "MySQL Connector/J text rows";
    private static final String MYSQL_CURSOR = "MySQL Connector/J cursor fetch (useCursorFetch, fetch size 1)";

    @Override
    public Dialect dialect() {
        return Dialect.MYSQL;
    }

    @Override
    public int veilPort() {
        return VeilTestResource.veilMySqlPort();
    }

    @Override
    public List<String> modes() {
        return List.of(MARIADB_TEXT, MARIADB_BINARY, MYSQL_TEXT, MYSQL_CURSOR);
    }

    @Override
    public Connection connect(String mode, int port, String user, String password) throws SQLException {
        String url = switch (mode) {
            case MARIADB_TEXT -> "jdbc:mariadb://127.0.0.1:" + port + "/shop?sslMode=disable";
            case MARIADB_BINARY -> "jdbc:mariadb://127.0.0.1:" + port + "/shop?sslMode=disable&useServerPrepStmts=true";
            case MYSQL_TEXT -> "jdbc:mysql://127.0.0.1:" + port + "/shop?sslMode=DISABLED";
            default -> "jdbc:mysql://127.0.0.1:" + port + "/shop?sslMode=DISABLED&useServerPrepStmts=true&useCursorFetch=true"
                    + "&defaultFetchSize=1";
        };
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public boolean prepares(String mode) {
        return mode.equals(MARIADB_BINARY) || mode.equals(MYSQL_CURSOR);
    }

    @Override
    public boolean fetchesRowByRow(String mode) {
        return mode.equals(MYSQL_CURSOR);
    }

    @Override
    public boolean refused(SQLException e) {
        return e.getErrorCode() == 1142;
    }

    @Override
    public void copyOut(Connection c, String sql) {
        throw new UnsupportedOperationException("no COPY on the MySQL wire");
    }

    @Override
    public Connection superuser() throws SQLException {
        return VeilTestResource.mariadb().connectAsRoot(MariaDbServer.DATABASE);
    }

    @Override
    public void dropLeftovers(Connection root) throws SQLException {
        try (Statement st = root.createStatement()) {
            st.execute("DROP VIEW IF EXISTS leak_view1");
            st.execute("DROP TABLE IF EXISTS leak_ctas1, leak_ctas2, leak_ctas3, leak_ctas4");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                    + " AND table_name = 'leak_sink'")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    st.execute("DELETE FROM leak_sink");
                }
            }
        }
    }

    @Override
    public String sinkDdl() {
        return "CREATE TABLE IF NOT EXISTS leak_sink (id INT, v VARCHAR(300))";
    }

    @Override
    public String cliName() {
        return "mariadb";
    }

    @Override
    public ProcessBuilder cli(Path mariadb, int port, String user, String password, List<String> steps, Path scratch)
            throws Exception {
        // one script, each statement ended by the delimiter //: statements may hold semicolons
        StringBuilder script = new StringBuilder("delimiter //\n");
        steps.forEach(s -> script.append(s).append("\n//\n"));
        Files.writeString(scratch, script);
        ProcessBuilder pb = new ProcessBuilder(mariadb.toString(), "--no-defaults", "-h", "127.0.0.1", "-P", String.valueOf(port),
                "-u", user, "--force", "--skip-ssl", "--comments", "shop");
        pb.environment().put("MYSQL_PWD", password);
        pb.redirectInput(scratch.toFile());
        return pb;
    }
}
