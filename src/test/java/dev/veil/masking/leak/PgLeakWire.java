package dev.veil.masking.leak;

import dev.veil.analysis.Dialect;
import dev.veil.testing.VeilTestResource;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The leak contract on PostgreSQL's wire: pgjdbc in the simple and extended protocols, binary, row-limited portals; psql. */
final class PgLeakWire implements LeakWire {
    private static final String SIMPLE = "pgjdbc simple protocol";
    private static final String EXTENDED = "pgjdbc extended protocol";
    private static final String BINARY = "pgjdbc named statements, binary results";
    private static final String PORTAL = "pgjdbc portals of one row (fetch size 1)";

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    public int veilPort() {
        return VeilTestResource.veilPort();
    }

    @Override
    public List<String> modes() {
        return List.of(SIMPLE, EXTENDED, BINARY, PORTAL);
    }

    @Override
    public Connection connect(String mode, int port, String user, String password) throws SQLException {
        String extra = switch (mode) {
            case SIMPLE -> "preferQueryMode=simple";
            case BINARY -> "prepareThreshold=-1&binaryTransfer=true";
            case PORTAL -> "defaultRowFetchSize=1";
            default -> "";
        };
        Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/shop?sslmode=disable"
                + (extra.isEmpty() ? "" : "&" + extra), user, password);
        if (mode.equals(PORTAL)) {
            c.setAutoCommit(false); // pgjdbc uses a fetch size only inside a transaction
        }
        return c;
    }

    @Override
    public boolean prepares(String mode) {
        return false;
    }

    @Override
    public boolean fetchesRowByRow(String mode) {
        return mode.equals(PORTAL);
    }

    @Override
    public boolean refused(SQLException first) {
        for (SQLException e = first; e != null; e = e.getNextException()) {
            if ("42501".equals(e.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void copyOut(Connection c, String sql) throws Exception {
        new CopyManager(c.unwrap(BaseConnection.class)).copyOut(sql, OutputStream.nullOutputStream());
    }

    @Override
    public Connection superuser() throws SQLException {
        return VeilTestResource.server().connectAsSuperuser("shop");
    }

    @Override
    public void dropLeftovers(Connection superuser) throws SQLException {
        try (Statement st = superuser.createStatement()) {
            st.execute("DROP VIEW IF EXISTS leak_view1");
            st.execute("DROP TABLE IF EXISTS leak_ctas1, leak_ctas2, leak_ctas3, leak_ctas4");
            st.execute("DO $$BEGIN IF to_regclass('leak_sink') IS NOT NULL THEN DELETE FROM leak_sink; END IF; END$$");
        }
    }

    @Override
    public String sinkDdl() {
        return "CREATE TABLE IF NOT EXISTS leak_sink (id int, v varchar(300))";
    }

    @Override
    public String cliName() {
        return "psql";
    }

    @Override
    public ProcessBuilder cli(Path psql, int port, String user, String password, List<String> steps, Path scratch) {
        List<String> command = new ArrayList<>(List.of(psql.toString(), "-X", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-U", user, "-d", "shop"));
        for (String step : steps) {
            // psql's \copy sends COPY … TO STDOUT and prints what comes back
            command.addAll(List.of("-c", step.startsWith("copy:COPY ") ? "\\copy " + step.substring("copy:COPY ".length()) : step));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PGPASSWORD", password);
        pb.environment().put("PGSSLMODE", "disable");
        return pb;
    }
}
