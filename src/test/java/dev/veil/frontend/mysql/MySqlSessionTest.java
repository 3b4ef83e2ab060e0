package dev.veil.frontend.mysql;

import dev.veil.protocol.mysql.Capabilities;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connection phase, TLS, pooling and failure handling of the MySQL front end. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class MySqlSessionTest {

    private static Connection mysqlCj(String database, String params, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + VeilTestResource.veilMySqlPort() + "/" + database + "?" + params,
                MySqlDrivers.props(user, password));
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @org.junit.jupiter.api.BeforeAll
    static void createTable() throws SQLException {
        try (Connection c = VeilTestResource.mariadb().connectAsRoot("shop"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS veil_reset (id INT PRIMARY KEY) ENGINE=InnoDB");
        }
    }

    @Test
    void handshakeCarriesTheUpstreamServerVersion() throws Exception {
        try (Connection c = MySqlDrivers.MYSQL_CONNECTOR_J.veil("")) {
            String version = one(c, "SELECT VERSION()");
            assertThat(c.getMetaData().getDatabaseProductVersion()).contains(version);
        }
    }

    @Test
    void cachingSha2PasswordFastPathFromConnectorJ() throws Exception {
        // Connector/J 8+ answers the greeting with caching_sha2_password, Veil's default.
        try (Connection c = mysqlCj("shop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT 'fast'")).isEqualTo("fast");
        }
    }

    @Test
    void aClientStartingWithAnotherPluginIsSwitchedToCachingSha2() throws Exception {
        try (Connection c = mysqlCj("shop", "sslMode=DISABLED&defaultAuthenticationPlugin=mysql_native_password",
                VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT 'switched'")).isEqualTo("switched");
        }
    }

    @Test
    void wrongPasswordsAndUnknownUsersGetError1045() {
        for (MySqlDrivers d : MySqlDrivers.values()) {
            String url = d == MySqlDrivers.MARIADB_CONNECTOR_J ? VeilTestResource.veilMariadbUrl("shop", "")
                    : VeilTestResource.veilMysqlUrl("shop", "");
            assertThatThrownBy(() -> DriverManager.getConnection(url, MySqlDrivers.props(VeilTestResource.USER, "wrong")).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1045);
                        assertThat(e.getMessage()).contains("Access denied for user 'tester'");
                    });
            assertThatThrownBy(() -> DriverManager.getConnection(url, MySqlDrivers.props("nobody", "x")).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        }
    }

    @Test
    void tlsFromBothDrivers() throws Exception {
        // sslMode=REQUIRED fails unless the TLS handshake with Veil succeeds.
        try (Connection c = mysqlCj("shop", "sslMode=REQUIRED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT 'tls'")).isEqualTo("tls");
        }
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + VeilTestResource.veilMySqlPort()
                + "/shop?sslMode=trust", MySqlDrivers.props(VeilTestResource.USER, VeilTestResource.PASSWORD))) {
            assertThat(one(c, "SELECT 'tls'")).isEqualTo("tls");
        }
    }

    @Test
    void upstreamConnectionsUseVerifiedTls() throws Exception {
        // Upstream "my" is configured verify-full against the test CA; the server reports the session's cipher. A
        // lone value is the server's word: SHOW STATUS through Veil shows the client's own TLS (ClientView), which
        // cannot tell what a value without its name is.
        try (Connection c = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isNotBlank();
        }
    }

    @Test
    void veilAuthenticatesUpstreamWithCachingSha2Password() throws Exception {
        // Upstream "self" is Veil's own listener (caching_sha2_password, TLS required): client -> Veil -> Veil -> MariaDB.
        try (Connection c = mysqlCj("self%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT count(*) FROM customers")).isEqualTo("1000");
        }
    }

    @Test
    void theSchemaNamesTheUpstream() throws Exception {
        try (Connection c = mysqlCj("mytiny%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT DATABASE()")).isEqualTo("shop");
        }
        assertThatThrownBy(() -> mysqlCj("nosuch%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1049);
                    assertThat(e.getMessage()).contains("no MySQL upstream named \"nosuch\"");
                });
    }

    @Test
    void anUnknownSchemaIsTheServersOwnError() {
        assertThatThrownBy(() -> mysqlCj("no_such_schema", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(1049);
                    assertThat(e.getMessage()).contains("no_such_schema");
                });
    }

    @Test
    void theNextSessionSeesNoneOfThePreviousSessionsState() throws Exception {
        // Each session checks it starts clean, then leaves every kind of session state behind it.
        List<String> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            try (Connection c = mysqlCj("shop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD);
                 Statement st = c.createStatement()) {
                // The server's thread id (CONNECTION_ID() as a column answers Veil's connection id).
                threads.add(one(c, "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()"));
                assertThat(one(c, "SELECT @secret")).as("user variable").isNull();
                assertThat(one(c, "SELECT @@SESSION.sql_mode")).as("sql_mode").doesNotContain("ANSI_QUOTES");
                assertThat(one(c, "SELECT DATABASE()")).as("schema").isEqualTo("shop");
                assertThatThrownBy(() -> one(c, "SELECT count(*) FROM shop.veil_tmp")).as("temporary table")
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1146));
                assertThat(one(c, "SELECT count(*) FROM shop.veil_reset WHERE id = 7777")).as("uncommitted row").isEqualTo("0");
                st.execute("SET @secret = 'leak'");
                st.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
                st.execute("CREATE TEMPORARY TABLE veil_tmp (x INT)");
                st.execute("USE mysql");
                c.setAutoCommit(false);
                st.execute("INSERT INTO shop.veil_reset VALUES (7777)");
            }
            Thread.sleep(50); // the reset runs after the client has gone
        }
        assertThat(new HashSet<>(threads).size()).as("server connections were reused: " + threads).isLessThan(threads.size());
    }

    @Test
    void anExhaustedPoolGivesError1040AfterTheBoundedWait() throws Exception {
        try (Connection holder = mysqlCj("mytiny%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(holder, "SELECT 1")).isEqualTo("1");
            assertThatThrownBy(() -> mysqlCj("mytiny%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1040);
                        assertThat(e.getMessage()).contains("all 1 connections to upstream mytiny");
                    });
        }
        try (Connection again = mysqlCj("mytiny%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(again, "SELECT 2")).isEqualTo("2");
        }
    }

    @Test
    void losingTheUpstreamEndsTheSessionAndNewSessionsRecover() throws Exception {
        try (Connection c = mysqlCj("myflaky%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT 'before'")).isEqualTo("before");
            VeilTestResource.myFlakyProxy().cut();
            assertThatThrownBy(() -> one(c, "SELECT 'after'")).isInstanceOf(SQLException.class);
        } finally {
            VeilTestResource.myFlakyProxy().heal();
        }
        try (Connection c = mysqlCj("myflaky%2Fshop", "sslMode=DISABLED", VeilTestResource.USER, VeilTestResource.PASSWORD)) {
            assertThat(one(c, "SELECT 'recovered'")).isEqualTo("recovered");
        }
    }

    @Test
    void aMalformedPacketEndsThatConnectionOnly() throws Exception {
        try (Connection bystander = MySqlDrivers.MARIADB_CONNECTOR_J.veil("")) {
            try (Socket s = new Socket("127.0.0.1", VeilTestResource.veilMySqlPort())) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                byte[] greeting = readPacket(in);
                assertThat(greeting[0]).isEqualTo((byte) 10);
                OutputStream out = s.getOutputStream();
                // A handshake response that claims protocol 4.1 and then ends in the middle of its fields.
                out.write(new byte[]{6, 0, 0, 1, 0, 2, 0, 0, 1, 2});
                out.flush();
                byte[] err = readPacket(in);
                assertThat(err[0] & 0xff).isEqualTo(0xff);
                int errno = (err[1] & 0xff) | (err[2] & 0xff) << 8;
                assertThat(errno).isEqualTo(1047);
                assertThat(new String(err, 9, err.length - 9, StandardCharsets.UTF_8)).contains("Malformed packet");
                assertThat(in.read()).isEqualTo(-1);
            }
            assertThat(one(bystander, "SELECT 'unharmed'")).isEqualTo("unharmed");
        }
    }

    @Tag("faults")
    @Test
    void anOversizedHandshakeResponseIsRefusedAtItsHeader() throws Exception {
        try (Socket s = new Socket("127.0.0.1", VeilTestResource.veilMySqlPort())) {
            s.setSoTimeout(10_000);
            assertThat(readPacket(s.getInputStream())[0]).isEqualTo((byte) 10);
            // Only the header of a 1 MiB handshake response (sequence 1): the answer must not wait for its body.
            s.getOutputStream().write(new byte[]{0, 0, 0x10, 1});
            assertPacketTooLargeBeforeLogin(s, 2);
        }
        try (Connection c = MySqlDrivers.MARIADB_CONNECTOR_J.veil("")) {
            assertThat(one(c, "SELECT 'still serving'")).isEqualTo("still serving");
        }
    }

    @Test
    void anOversizedAuthSwitchResponseIsRefusedAtItsHeader() throws Exception {
        try (Socket s = new Socket("127.0.0.1", VeilTestResource.veilMySqlPort())) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            assertThat(readPacket(in)[0]).isEqualTo((byte) 10);
            // A handshake response naming a plugin Veil does not offer first: Veil switches it to its own.
            byte[] user = (VeilTestResource.USER + "\0").getBytes(StandardCharsets.UTF_8);
            byte[] plugin = "auth_gssapi_client\0".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer response = ByteBuffer.allocate(4 + 4 + 4 + 1 + 23 + user.length + 1 + 20 + plugin.length)
                    .order(ByteOrder.LITTLE_ENDIAN);
            response.putInt(0);
            response.putInt(Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH)
                    .putInt(16 * 1024 * 1024).put((byte) 45).put(new byte[23]).put(user).put((byte) 20).put(new byte[20]).put(plugin);
            response.putInt(0, (response.capacity() - 4) | 1 << 24);
            s.getOutputStream().write(response.array());
            byte[] authSwitch = readPacket(in);
            assertThat(authSwitch[0] & 0xff).as("AuthSwitchRequest").isEqualTo(0xfe);
            // The auth switch response (sequence 3) announces 1 MiB.
            s.getOutputStream().write(new byte[]{0, 0, 0x10, 3});
            assertPacketTooLargeBeforeLogin(s, 4);
        }
        try (Connection c = MySqlDrivers.MARIADB_CONNECTOR_J.veil("")) {
            assertThat(one(c, "SELECT 'still serving'")).isEqualTo("still serving");
        }
    }

    /** ERR 1153 / 08S01 answering the refused packet, then the end of the connection. */
    private static void assertPacketTooLargeBeforeLogin(Socket s, int sequence) throws Exception {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] header = new byte[4];
        in.readFully(header);
        assertThat(header[3] & 0xff).as("sequence id of the ERR").isEqualTo(sequence);
        byte[] err = new byte[(header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16];
        in.readFully(err);
        assertThat(err[0] & 0xff).isEqualTo(0xff);
        assertThat((err[1] & 0xff) | (err[2] & 0xff) << 8).isEqualTo(1153);
        assertThat(new String(err, 4, 5, StandardCharsets.US_ASCII)).isEqualTo("08S01");
        assertThat(new String(err, 9, err.length - 9, StandardCharsets.UTF_8)).contains("before login").contains("16384");
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void commandsBeyondTheRelayAreRefusedWithoutEndingTheSession() throws Exception {
        try (Connection c = MySqlDrivers.MARIADB_CONNECTOR_J.veil(""); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("KILL USER tester"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1235));
            assertThat(c.isValid(5)).isTrue();
            c.setCatalog("mysql");
            assertThat(one(c, "SELECT DATABASE()")).isEqualTo("mysql");
            ((org.mariadb.jdbc.Connection) c).reset();
            assertThat(one(c, "SELECT 'after reset'")).isEqualTo("after reset");
        }
    }

    private static byte[] readPacket(InputStream in) throws Exception {
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[4];
        d.readFully(header);
        int len = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        byte[] payload = new byte[len];
        d.readFully(payload);
        return payload;
    }
}
