package dev.veil.frontend;

import dev.veil.frontend.mysql.MySqlEngine;
import dev.veil.frontend.pg.PgEngine;
import dev.veil.testing.RawPgClient;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Real clients (pgjdbc, psql, MySQL Connector/J) against the real listeners while sockets that send three bytes
 * and stall hold every place one address has for connections logging in: clients from another address still
 * get in; a client from the stalled address is refused with the protocol's "too many connections" error, which
 * the driver or psql shows as such (psql, which opens with SSLRequest, does not report an SSL failure).
 */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class ConnectionLimitsThroughVeilTest {
    private static final int LIMIT = VeilTestResource.MAX_AUTHENTICATING_PER_ADDRESS;

    @Inject
    PgEngine pg;

    @Inject
    MySqlEngine mysql;

    private final List<Socket> stalled = new ArrayList<>();

    /** The places come back when the stalled sockets close: nothing is left for the next test. */
    @AfterEach
    void closeStalledSockets() throws Exception {
        for (Socket s : stalled) {
            s.close();
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pg.authenticatingConnections() + mysql.authenticatingConnections() > 0) {
            assertThat(System.nanoTime()).as("the stalled connections' places given back within 10 s").isLessThan(until);
            Thread.sleep(5);
        }
    }

    /** Fills {@code from}'s places on the listener at {@code port}, and returns once the engine counts them. */
    private void stall(WireEngine engine, String from, int port) throws Exception {
        for (int i = 0; i < LIMIT; i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.getOutputStream().write(new byte[]{0, 0, 0});
            stalled.add(s);
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.authenticatingConnectionsFrom(from) < LIMIT) {
            assertThat(System.nanoTime()).as("the stalled connections counted within 10 s").isLessThan(until);
            Thread.sleep(5);
        }
    }

    private static String perAddressRefusal(String prefix, String from, String properties) {
        return prefix + ": " + LIMIT + " connections from " + from + " are logging in already, the most Veil lets log in at"
                + " once from one address; try again in a moment (" + properties + ".max-authenticating-per-address)";
    }

    @Test
    void pgjdbcAndPsqlFromAnotherAddressGetInWhileOneAddressIsFull() throws Exception {
        stall(pg, "127.0.0.2", VeilTestResource.veilPort());

        try (RawPgClient c = new RawPgClient("127.0.0.2", VeilTestResource.veilPort())) {
            c.sendStartup(VeilTestResource.USER, "shop");
            RawPgClient.Message m = c.read();
            assertThat(m.fields()).containsEntry('C', "53300")
                    .containsEntry('M', perAddressRefusal("sorry, too many clients already", "127.0.0.2", "veil.pg"));
        }
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER, VeilTestResource.PASSWORD);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(10_000);
        }
        Path psql = psql();
        if (psql != null) {
            assertThat(psql(psql, "prefer")).contains("42");
        }
    }

    @Test
    void pgjdbcFromTheFullAddressIsToldTooManyConnectionsAfterItsTlsNegotiation() throws Exception {
        stall(pg, "127.0.0.1", VeilTestResource.veilPort());
        String url = "jdbc:postgresql://127.0.0.1:" + VeilTestResource.veilPort()
                + "/shop?sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory";

        SQLException refused = catchThrowableOfType(() -> DriverManager.getConnection(url, VeilTestResource.USER,
                VeilTestResource.PASSWORD).close(), SQLException.class);

        assertThat(refused.getSQLState()).isEqualTo("53300");
        assertThat(refused.getMessage()).contains(perAddressRefusal("sorry, too many clients already", "127.0.0.1", "veil.pg"));
    }

    @Test
    void psqlFromTheFullAddressPrintsTooManyConnectionsNotAnSslError() throws Exception {
        Path psql = psql();
        Assumptions.assumeTrue(psql != null, "psql is not installed here (.ci/run installs postgresql-client)");
        stall(pg, "127.0.0.1", VeilTestResource.veilPort());

        for (String sslmode : List.of("prefer", "require")) {
            String out = psql(psql, sslmode);

            assertThat(out).as("psql with sslmode=" + sslmode).contains("FATAL:  sorry, too many clients already: " + LIMIT
                    + " connections from 127.0.0.1 are logging in already").contains("(veil.pg.max-authenticating-per-address)")
                    .doesNotContain("SSL");
        }
    }

    @Test
    void connectorJFromAnotherAddressGetsInWhileOneAddressIsFull() throws Exception {
        stall(mysql, "127.0.0.2", VeilTestResource.veilMySqlPort());

        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.0.2", 0));
            s.connect(new InetSocketAddress("127.0.0.1", VeilTestResource.veilMySqlPort()));
            s.setSoTimeout(10_000);
            assertThat(firstPacket(s)).isEqualTo("ERR 1040 08004 " + perAddressRefusal("Too many connections", "127.0.0.2", "veil.mysql"));
        }
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", ""), VeilTestResource.USER,
                VeilTestResource.PASSWORD); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 42")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void connectorJFromTheFullAddressIsToldTooManyConnections() throws Exception {
        stall(mysql, "127.0.0.1", VeilTestResource.veilMySqlPort());

        SQLException refused = catchThrowableOfType(() -> DriverManager.getConnection(VeilTestResource.veilMysqlUrl("shop", ""),
                VeilTestResource.USER, VeilTestResource.PASSWORD).close(), SQLException.class);

        assertThat(refused.getErrorCode()).isEqualTo(1040);
        assertThat(refused.getMessage()).contains(perAddressRefusal("Too many connections", "127.0.0.1", "veil.mysql"));
    }

    /** The first MySQL packet, when it is an ERR: "ERR errno sqlstate message". */
    private static String firstPacket(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int length = in.readUnsignedByte() | (in.readUnsignedByte() << 8) | (in.readUnsignedByte() << 16);
        in.readUnsignedByte(); // sequence id
        byte[] p = new byte[length];
        in.readFully(p);
        assertThat(p[0] & 0xff).as("an ERR packet in place of the greeting").isEqualTo(0xff);
        int errno = (p[1] & 0xff) | ((p[2] & 0xff) << 8);
        return "ERR " + errno + " " + new String(p, 4, 5, StandardCharsets.US_ASCII) + " "
                + new String(p, 9, p.length - 9, StandardCharsets.UTF_8);
    }

    private static Path psql() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "psql");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** psql's whole output for SELECT 42 through Veil, over TLS as {@code sslmode} asks. */
    private static String psql(Path psql, String sslmode) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(psql.toString(), "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(VeilTestResource.veilPort()), "-U", VeilTestResource.USER, "-d", "shop", "-c", "SELECT 42"));
        pb.environment().put("PGPASSWORD", VeilTestResource.PASSWORD);
        pb.environment().put("PGSSLMODE", sslmode);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
