package dev.veil.frontend.pg;

import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** pgjdbc through Veil behaves exactly as pgjdbc connected straight to the server. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class PgjdbcThroughVeilTest {

    /** Every common type, with NULLs; the enum is created in {@link #createEnum()}. */
    static final String ALL_TYPES = """
            SELECT 1::int2 AS i2, 2::int4 AS i4, 9007199254740993::int8 AS i8, 1.5::float4 AS f4,
                   2.2250738585072014e-308::float8 AS f8, 12345.6789::numeric(12,4) AS num, 'NaN'::numeric AS nan,
                   true AS b, 'text ünïcødé'::text AS t, 'x'::char(3) AS c3, 'v'::varchar(10) AS vc,
                   '\\xdeadbeef00ff'::bytea AS by, '2024-02-29'::date AS d, '13:45:01.123456'::time AS tm,
                   '13:45:01+02'::timetz AS tmz, '2024-02-29 13:45:01.123456'::timestamp AS ts,
                   '2024-02-29 13:45:01.123456+05:30'::timestamptz AS tstz, 'infinity'::timestamp AS tsinf,
                   '1 year 2 mons 3 days 04:05:06.789'::interval AS iv,
                   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, '{"a": 1, "z": [true, null]}'::json AS js,
                   '{"b": [1, 2], "a": "x"}'::jsonb AS jb, ARRAY[1, 2, NULL]::int[] AS ia,
                   ARRAY['a', 'b c', NULL]::text[] AS ta, 'happy'::veil_mood AS en, '192.168.0.1/24'::inet AS ip,
                   point(1, 2) AS pt, NULL::int AS nul_i, NULL::text AS nul_t, NULL::timestamptz AS nul_ts,
                   ?::int AS param
            """;

    @BeforeAll
    static void createEnum() throws SQLException {
        try (Connection c = VeilTestResource.server().connectAsSuperuser("shop"); Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN CREATE TYPE veil_mood AS ENUM ('sad', 'happy'); EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        }
    }

    static Connection veil(String extra) throws SQLException {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", extra), VeilTestResource.USER, VeilTestResource.PASSWORD);
    }

    static Connection direct(String extra) throws SQLException {
        var s = VeilTestResource.server();
        return DriverManager.getConnection(s.jdbcUrl("shop") + (extra.isEmpty() ? "" : "&" + extra), s.superuser(), s.superuserPassword());
    }

    @Test
    void everyCommonTypeMatchesDirectInTextAndBinaryFormats() throws Exception {
        // prepareThreshold=0: unnamed statements, text results; -1: named server-side statements, binary transfer.
        for (String mode : List.of("prepareThreshold=0", "prepareThreshold=-1&binaryTransfer=true", "preferQueryMode=simple")) {
            List<String> viaVeil = typedRow(veil(mode));
            List<String> direct = typedRow(direct(mode));
            assertThat(viaVeil).as(mode).isEqualTo(direct);
            assertThat(viaVeil).as(mode).contains("param=int4:42", "nul_i=int4:null", "by=bytea:\\xdeadbeef00ff", "en=veil_mood:happy");
        }
    }

    private static List<String> typedRow(Connection c) throws SQLException {
        try (c; PreparedStatement ps = c.prepareStatement(ALL_TYPES)) {
            List<String> out = new ArrayList<>();
            for (int run = 0; run < 3; run++) { // the third run uses the server-side prepared statement
                ps.setInt(1, 42);
                out.clear();
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    assertThat(rs.next()).isTrue();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object o = rs.getObject(i);
                        String rendered = o instanceof byte[] b ? "\\x" + HexFormat.of().formatHex(b) : String.valueOf(o);
                        out.add(md.getColumnLabel(i) + "=" + md.getColumnTypeName(i) + ":" + rendered);
                    }
                }
            }
            return out;
        }
    }

    @Test
    void streamsHundredThousandRowsIdenticallyWithAndWithoutCursorFetch() throws Exception {
        String sql = "SELECT g, md5(g::text), g * 1.5, now() - (g || ' seconds')::interval > '2000-01-01' FROM generate_series(1, 100000) g";
        String direct = digest(direct(""), sql, 0);
        assertThat(digest(veil(""), sql, 0)).isEqualTo(direct);
        // A fetch size inside a transaction makes pgjdbc Execute with a row limit: PortalSuspended round trips.
        assertThat(digest(veil(""), sql, 997)).isEqualTo(direct);
    }

    private static String digest(Connection c, String sql, int fetchSize) throws Exception {
        try (c) {
            c.setAutoCommit(fetchSize == 0);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(fetchSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= 4; i++) {
                            md.update(String.valueOf(rs.getString(i)).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            assertThat(rows).isEqualTo(100_000);
            return HexFormat.of().formatHex(md.digest());
        }
    }

    @Test
    void batchesInsertEveryRowInBothBatchModes() throws Exception {
        for (String mode : List.of("reWriteBatchedInserts=false", "reWriteBatchedInserts=true")) {
            try (Connection c = veil(mode); Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE batch_t (id int PRIMARY KEY, label text)");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch_t VALUES (?, ?)")) {
                    for (int i = 0; i < 1000; i++) {
                        ps.setInt(1, i);
                        ps.setString(2, "row " + i);
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    assertThat(counts).hasSize(1000);
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*), sum(id) FROM batch_t")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as(mode).isEqualTo(1000);
                    assertThat(rs.getLong(2)).as(mode).isEqualTo(499_500L);
                }
            }
        }
    }

    @Test
    void copiesInAndOutThroughCopyManager() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            csv.append(i).append(",\"name, ").append(i).append("\",").append(i % 7 == 0 ? "" : "x").append('\n');
        }
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE copy_t (id int, name text, flag text)");
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long in = copy.copyIn("COPY copy_t FROM STDIN WITH (FORMAT csv)", new StringReader(csv.toString()));
            assertThat(in).isEqualTo(5000);
            StringWriter out = new StringWriter();
            long outRows = copy.copyOut("COPY (SELECT * FROM copy_t ORDER BY id) TO STDOUT WITH (FORMAT csv)", out);
            assertThat(outRows).isEqualTo(5000);
            assertThat(out.toString()).isEqualTo(csv.toString());
            // A COPY that fails mid-stream leaves the session usable.
            assertThatThrownBy(() -> copy.copyIn("COPY copy_t FROM STDIN WITH (FORMAT csv)", new StringReader("1,a,b\nnot-a-number,b,c\n")))
                    .isInstanceOf(PSQLException.class).hasMessageContaining("invalid input syntax for type integer");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM copy_t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(5000);
            }
        }
    }

    @Test
    void relaysNotificationsBetweenSessions() throws Exception {
        try (Connection listener = veil(""); Connection notifier = veil("")) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN veil_test_channel");
            }
            try (Statement st = notifier.createStatement()) {
                st.execute("NOTIFY veil_test_channel, 'hello through veil'");
            }
            PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(10_000);
            assertThat(got).isNotNull().hasSize(1);
            assertThat(got[0].getName()).isEqualTo("veil_test_channel");
            assertThat(got[0].getParameter()).isEqualTo("hello through veil");
        }
    }

    @Test
    void relaysNoticesAsWarnings() throws Exception {
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN RAISE NOTICE 'notice from the server %', 42; END $$");
            SQLWarning w = st.getWarnings();
            assertThat((Throwable) w).isNotNull();
            assertThat(w.getMessage()).contains("notice from the server 42");
        }
    }

    @Test
    void cancelReachesTheServerRunningTheStatement() throws Exception {
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            // Cancelled once the server runs it: a cancel that arrives earlier is dropped by the server (as
            // PostgreSQL does), and a fixed delay before it lost the race on a busy machine.
            String sleep = "SELECT pg_sleep(60.25)";
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> {
                try {
                    st.execute(sleep);
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (activeCount(sleep) == 0) {
                assertThat(System.nanoTime()).as("the sleep never showed in pg_stat_activity").isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(20);
            }
            st.cancel();
            SQLException cancelled = sleeping.get(30, TimeUnit.SECONDS);
            assertThat((Throwable) cancelled).as("the sleep was cancelled").isNotNull();
            assertThat(cancelled.getSQLState()).isEqualTo("57014");
            try (ResultSet rs = st.executeQuery("SELECT 'still usable'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("still usable");
            }
        }
    }

    @Test
    void errorInsideTransactionThenRollbackLeavesSessionUsable() throws Exception {
        try (Connection c = veil(""); Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE tx_t (id int)");
            c.setAutoCommit(false);
            st.execute("INSERT INTO tx_t VALUES (1)");
            assertThatThrownBy(() -> st.execute("SELECT 1/0"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22012"));
            assertThatThrownBy(() -> st.execute("SELECT 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tx_t")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void upstreamErrorsArriveUntouched() throws Exception {
        for (String sql : List.of("SELECT 1/0", "SELECT * FROM no_such_table", "SELECT nosuchcolumn FROM customers",
                "INSERT INTO customers (id) VALUES (1)")) {
            PSQLException viaVeil = failure(veil(""), sql);
            PSQLException direct = failure(direct(""), sql);
            assertThat(viaVeil.getSQLState()).as(sql).isEqualTo(direct.getSQLState());
            assertThat(viaVeil.getServerErrorMessage().toString()).as(sql).isEqualTo(direct.getServerErrorMessage().toString());
            assertThat(viaVeil.getServerErrorMessage().getPosition()).isEqualTo(direct.getServerErrorMessage().getPosition());
        }
    }

    private static PSQLException failure(Connection c, String sql) throws SQLException {
        try (c; Statement st = c.createStatement()) {
            st.execute(sql);
            throw new AssertionError("expected an error from " + sql);
        } catch (PSQLException e) {
            return e;
        }
    }

    @Test
    void multiStatementSimpleQueryReturnsEveryResult() throws Exception {
        try (Connection c = veil("preferQueryMode=simple"); Statement st = c.createStatement()) {
            assertThat(st.execute("SELECT 1; SELECT 'two', 2; CREATE TEMP TABLE ms_t(x int); INSERT INTO ms_t VALUES (1),(2)")).isTrue();
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertThat(st.getMoreResults()).isTrue();
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("two");
            }
            assertThat(st.getMoreResults()).isFalse();
            assertThat(st.getUpdateCount()).isEqualTo(0);
            assertThat(st.getMoreResults()).isFalse();
            assertThat(st.getUpdateCount()).isEqualTo(2);
        }
    }

    @Test
    void clientSettingsFromStartupReachTheServerAsTheyWouldDirectly() throws Exception {
        String settings = "ApplicationName=veil-it&options=-c%20search_path%3Dpg_catalog,public%20-c%20statement_timeout%3D12345%20--DateStyle%3DISO,DMY";
        String sql = "SELECT current_setting('application_name'), current_setting('search_path'), current_setting('statement_timeout'),"
                + " current_setting('TimeZone'), current_setting('DateStyle'), current_schemas(false)::text";
        List<String> viaVeil = row(veil(settings), sql);
        assertThat(viaVeil).isEqualTo(row(direct(settings), sql));
        assertThat(viaVeil.get(0)).isEqualTo("veil-it");
        assertThat(viaVeil.get(2)).isEqualTo("12345ms");
        assertThat(viaVeil.get(4)).isEqualTo("ISO, DMY");
    }

    private static List<String> row(Connection c, String sql) throws SQLException {
        try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getString(i));
            }
            return out;
        }
    }

    /** How many backends run exactly {@code sql} right now (read directly on the server). */
    private static int activeCount(String sql) throws SQLException {
        try (Connection direct = VeilTestResource.server().connectAsSuperuser("shop");
             PreparedStatement ps = direct.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE query = ? AND state = 'active'")) {
            ps.setString(1, sql);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
