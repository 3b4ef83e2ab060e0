package dev.veil.audit;

import dev.veil.config.EndpointPassword;
import dev.veil.config.EndpointTlsMode;
import dev.veil.config.VeilConfig;
import org.postgresql.Driver;

import java.io.IOException;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The audit table of a control-plane database, for reading: its streams, and a {@link PostgresAuditSource}
 * per stream. Reading is blocking JDBC (pgjdbc) on purpose: the readers are the command-line tools and a
 * worker-thread REST method, and a cursor with a fetch size streams a table of any size with flat memory.
 * The writer ({@link PostgresAuditSink}) stays on the reactive client.
 */
public final class AuditTable {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    private static final String UNDEFINED_TABLE = "42P01";

    /** One stream of the table (one Veil instance's chain). */
    public record Stream(String name, long records, long firstSeq, long lastSeq, Instant firstTime, Instant lastTime) {
    }

    private final String url;
    private final Properties properties;
    private final String table;
    private final String where;

    /**
     * @param url a {@code jdbc:postgresql://host:port/database} URL; user and password from {@code properties}
     *            or the URL's own parameters
     */
    public AuditTable(String url, Properties properties, String table) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("the audit table must be a plain (optionally schema-qualified) lower-case name: " + table);
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database) is expected, got " + url);
        }
        this.url = url;
        this.properties = properties;
        this.table = table;
        this.where = "table " + table + " at " + url.substring("jdbc:postgresql://".length()).replaceFirst("\\?.*", "");
    }

    /** The table the PostgreSQL sink of this configuration writes, with the same credentials and TLS. */
    public static AuditTable of(VeilConfig.AuditPostgres pg) throws IOException {
        return new AuditTable("jdbc:postgresql://" + hostForUrl(pg.host()) + ":" + pg.port() + "/" + pg.database(),
                connectionProperties(pg.user(), password(pg), pg.tls().mode(), pg.tls().caFile().orElse(null)), pg.table());
    }

    /**
     * Properties for pgjdbc: the sink's TLS mode with libpq's meaning (prefer and require encrypt without
     * certificate checks, as the reactive client's trust-all does for the writer; verify-ca and verify-full
     * check against the ca-file), read-only, and a name in pg_stat_activity. No mode: prefer.
     */
    public static Properties connectionProperties(String user, String password, EndpointTlsMode tlsMode, String caFile) {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        EndpointTlsMode mode = tlsMode == null ? EndpointTlsMode.PREFER : tlsMode;
        p.setProperty("sslmode", mode.sslmode());
        if (mode == EndpointTlsMode.PREFER || mode == EndpointTlsMode.REQUIRE) {
            p.setProperty("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
        } else if (mode.verifies() && caFile != null) {
            p.setProperty("sslrootcert", caFile);
        }
        p.setProperty("readOnly", "true");
        p.setProperty("ApplicationName", "veil audit reader");
        p.setProperty("connectTimeout", "10");
        return p;
    }

    /** The password as the sink reads it: veil.audit.postgres.password-file, else password-env, else password. */
    public static String password(VeilConfig.AuditPostgres pg) throws IOException {
        try {
            return EndpointPassword.read("veil.audit.postgres", pg);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The stream this instance writes: veil.audit.postgres.stream, else the host name (as the sink does). */
    public static String ownStream(VeilConfig.AuditPostgres pg) {
        return pg.stream().orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "veil";
            }
        });
    }

    public String table() {
        return table;
    }

    public String url() {
        return url;
    }

    /** A copy of the connection properties. */
    public Properties properties() {
        Properties p = new Properties();
        p.putAll(properties);
        return p;
    }

    public String name() {
        return where;
    }

    /** The streams in the table with their extent, by name. */
    public List<Stream> streams() throws IOException {
        String sql = "SELECT stream, count(*), min(seq), max(seq), min(time), max(time) FROM " + table + " GROUP BY stream ORDER BY stream";
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<Stream> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Stream(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getObject(6, OffsetDateTime.class).toInstant()));
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    public PostgresAuditSource stream(String stream) {
        return new PostgresAuditSource(this, stream);
    }

    /** A new connection; the driver is called directly, so no class-loader-dependent DriverManager lookup. */
    Connection connect() throws SQLException {
        Connection c = new Driver().connect(url, properties);
        if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL: " + url);
        }
        return c;
    }

    IOException failure(SQLException e) {
        if (UNDEFINED_TABLE.equals(e.getSQLState())) {
            return new IOException(where + " does not exist (nothing was ever written there, or another table is configured)", e);
        }
        return new IOException(where + ": " + e.getMessage(), e);
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
