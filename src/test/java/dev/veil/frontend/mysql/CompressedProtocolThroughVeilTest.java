package dev.veil.frontend.mysql;

import dev.veil.protocol.mysql.Capabilities;
import dev.veil.testing.MariaDbServer;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/** Clients that ask for the compressed protocol get it from Veil, with real drivers, CLIs and raw sockets. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class CompressedProtocolThroughVeilTest {

    @BeforeAll
    static void table() throws Exception {
        try (Connection c = VeilTestResource.mariadb().connectAsRoot(MariaDbServer.DATABASE); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS veil_zblob (id INT PRIMARY KEY, data LONGBLOB)");
        }
    }

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void driversWithUseCompressionRunQueriesThroughVeil(MySqlDrivers driver) throws Exception {
        try (Connection c = driver.veil("useCompression=true"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 'short', REPEAT('compressible ', 1000)")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("short");
            assertThat(rs.getString(2)).isEqualTo("compressible ".repeat(1000));
        }
        try (Connection c = driver.veil("useCompression=true"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Compression'")) {
            // Veil's link to the server stays uncompressed (loopback): the compression is the client's to Veil.
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEqualTo("OFF");
        }
    }

    @ParameterizedTest
    @EnumSource(MySqlDrivers.class)
    void statementsAndResultsOverSixteenMegabytesSpanCompressedFrames(MySqlDrivers driver) throws Exception {
        byte[] data = new byte[20 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        // Half compressible, half not: frames both deflated and sent as is.
        Arrays.fill(data, 0, data.length / 2, (byte) 'z');
        int id = 10 + driver.ordinal();
        try (Connection c = driver.veil("useCompression=true&maxAllowedPacket=134217728")) {
            try (PreparedStatement ps = c.prepareStatement("REPLACE INTO veil_zblob VALUES (?, ?)")) {
                ps.setInt(1, id);
                ps.setBytes(2, data);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT data, length(data) FROM veil_zblob WHERE id = " + id)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(2)).isEqualTo(data.length);
                assertThat(rs.getBytes(1)).isEqualTo(data);
            }
            // A text statement over 16 MB too.
            String text = "SELECT LENGTH('" + "q".repeat(17 * 1024 * 1024) + "')";
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(text)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(17L * 1024 * 1024);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "mysql"})
    void cliWithCompressPrintsTheSameAsWithout(String name) throws Exception {
        Path client = onPath(name);
        Assumptions.assumeTrue(client != null, name + " is not installed here");
        String sql = "SELECT 'through veil' AS greeting, LENGTH(REPEAT('x', 100000)) AS n, MD5(REPEAT('abc', 50000)) AS digest;\n";
        String plain = run(client, sql);
        String compressed = run(client, sql, "--compress");
        assertThat(compressed).contains("through veil", "100000").isEqualTo(plain);
    }

    @Test
    void aDecompressionBombEndsThatConnectionWithErrno1157() throws Exception {
        // 64 MiB of zeros (about 64 kB deflated) behind a header that declares 1 MiB.
        byte[] zeros = new byte[64 << 20];
        assertCompressedFrameRefused(frame(0, deflate(zeros), 1 << 20), "inflates past its declared length");
    }

    @Test
    void aFrameThatIsNotZlibEndsThatConnectionWithErrno1157() throws Exception {
        assertCompressedFrameRefused(new byte[]{5, 0, 0, 0, 9, 0, 0, 1, 2, 3, 4, 5}, "not a valid zlib stream");
    }

    private static void assertCompressedFrameRefused(byte[] bad, String why) throws Exception {
        try (Connection bystander = MySqlDrivers.MARIADB_CONNECTOR_J.veil("useCompression=true");
             Socket s = new Socket("127.0.0.1", VeilTestResource.veilMySqlPort())) {
            s.setSoTimeout(20_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            login(in, out);
            // First a good command, compressed: COM_PING answered by OK, compressed frame 1.
            out.write(frame(0, new byte[]{1, 0, 0, 0, 0x0e}, 0));
            byte[] pong = readCompressed(in, 1);
            assertThat(pong[4]).as("OK").isEqualTo((byte) 0);
            out.write(bad);
            out.flush();
            byte[] err = readCompressed(in, bad[3] + 1);
            assertThat(err[4] & 0xff).isEqualTo(0xff);
            assertThat((err[5] & 0xff) | (err[6] & 0xff) << 8).isEqualTo(1157);
            assertThat(new String(err, 8, 5, StandardCharsets.US_ASCII)).isEqualTo("08S01");
            assertThat(new String(err, 13, err.length - 13, StandardCharsets.UTF_8)).contains("Couldn't uncompress", why);
            assertThat(in.read()).isEqualTo(-1);
            try (Statement st = bystander.createStatement(); ResultSet rs = st.executeQuery("SELECT 'unharmed'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("unharmed");
            }
        }
    }

    // ---- a raw client ---------------------------------------------------------------------------------

    /** Logs in with CLIENT_COMPRESS, answering the plugin Veil greets with; returns once the (plain) OK is read. */
    private static void login(DataInputStream in, OutputStream out) throws Exception {
        byte[] greeting = readPacket(in);
        assertThat(greeting[0]).isEqualTo((byte) 10);
        int p = 1;
        while (greeting[p] != 0) {
            p++;
        }
        p += 1 + 4;
        byte[] nonce = new byte[20];
        System.arraycopy(greeting, p, nonce, 0, 8);
        p += 8 + 1;
        int caps = (greeting[p] & 0xff) | (greeting[p + 1] & 0xff) << 8;
        p += 2 + 1 + 2;
        caps |= ((greeting[p] & 0xff) | (greeting[p + 1] & 0xff) << 8) << 16;
        assertThat(caps & Capabilities.COMPRESS).as("CLIENT_COMPRESS offered").isNotZero();
        p += 2 + 1 + 10;
        System.arraycopy(greeting, p, nonce, 8, 12);
        p += 13;
        int end = p;
        while (greeting[end] != 0) {
            end++;
        }
        String plugin = new String(greeting, p, end - p, StandardCharsets.US_ASCII);
        byte[] scramble = scramble(plugin, VeilTestResource.PASSWORD.getBytes(StandardCharsets.UTF_8), nonce);
        byte[] user = (VeilTestResource.USER + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] db = (MariaDbServer.DATABASE + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] pluginZ = (plugin + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer response = ByteBuffer.allocate(4 + 32 + user.length + 1 + scramble.length + db.length + pluginZ.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        response.putInt((response.capacity() - 4) | 1 << 24);
        response.putInt(Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH
                        | Capabilities.CONNECT_WITH_DB | Capabilities.COMPRESS)
                .putInt(16 * 1024 * 1024).put((byte) 45).put(new byte[23]).put(user).put((byte) scramble.length)
                .put(scramble).put(db).put(pluginZ);
        out.write(response.array());
        out.flush();
        while (true) {
            byte[] reply = readPacket(in);
            if (reply[0] == 0) {
                return;
            }
            assertThat(reply[0]).as("fast authentication, not an error: " + Arrays.toString(reply)).isEqualTo((byte) 1);
        }
    }

    private static byte[] scramble(String plugin, byte[] password, byte[] nonce) throws Exception {
        if (plugin.equals("mysql_native_password")) {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] h1 = sha1.digest(password);
            byte[] h2 = sha1.digest(h1);
            sha1.update(nonce);
            byte[] h3 = sha1.digest(h2);
            return xor(h1, h3);
        }
        assertThat(plugin).isEqualTo("caching_sha2_password");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] h1 = sha.digest(password);
        byte[] h2 = sha.digest(h1);
        sha.update(h2);
        sha.update(nonce);
        return xor(h1, sha.digest());
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] r = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (byte) (a[i] ^ b[i]);
        }
        return r;
    }

    private static byte[] readPacket(DataInputStream in) throws Exception {
        byte[] header = new byte[4];
        in.readFully(header);
        byte[] payload = new byte[(header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16];
        in.readFully(payload);
        return payload;
    }

    /** One compressed frame with the expected sequence id, inflated: the packet bytes it carries, header included. */
    private static byte[] readCompressed(DataInputStream in, int sequence) throws Exception {
        byte[] header = new byte[7];
        in.readFully(header);
        assertThat(header[3] & 0xff).as("compressed sequence id").isEqualTo(sequence & 0xff);
        byte[] body = new byte[(header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16];
        in.readFully(body);
        int length = (header[4] & 0xff) | (header[5] & 0xff) << 8 | (header[6] & 0xff) << 16;
        if (length == 0) {
            return body;
        }
        Inflater inflater = new Inflater();
        inflater.setInput(body);
        byte[] out = new byte[length];
        assertThat(inflater.inflate(out)).isEqualTo(length);
        inflater.end();
        return out;
    }

    private static byte[] frame(int sequence, byte[] body, int uncompressedLength) {
        ByteBuffer b = ByteBuffer.allocate(7 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) body.length).put((byte) (body.length >> 8)).put((byte) (body.length >> 16)).put((byte) sequence)
                .put((byte) uncompressedLength).put((byte) (uncompressedLength >> 8)).put((byte) (uncompressedLength >> 16))
                .put(body);
        return b.array();
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(9);
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[data.length / 100 + 1024];
        int n = 0;
        while (!d.finished()) {
            n += d.deflate(buf, n, buf.length - n);
        }
        d.end();
        return Arrays.copyOf(buf, n);
    }

    // ---- the command-line clients -----------------------------------------------------------------------

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String run(Path client, String sql, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(client.toString(), "--no-defaults", "-h", "127.0.0.1", "-P",
                String.valueOf(VeilTestResource.veilMySqlPort()), "-u", VeilTestResource.USER, "--table"));
        command.add(client.getFileName().toString().equals("mysql") && !isMariaDbBuild(client) ? "--ssl-mode=DISABLED" : "--skip-ssl");
        command.addAll(List.of(options));
        command.add(MariaDbServer.DATABASE);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("MYSQL_PWD", VeilTestResource.PASSWORD);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static boolean isMariaDbBuild(Path client) throws Exception {
        return client.toRealPath().getFileName().toString().startsWith("mariadb");
    }
}
