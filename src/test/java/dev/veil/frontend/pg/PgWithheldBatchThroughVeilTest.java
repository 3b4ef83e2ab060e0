package dev.veil.frontend.pg;

import dev.veil.masking.leak.MaskingLeakTestProfile;
import dev.veil.testing.RawPgClient;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An extended-protocol batch in which Veil withholds a masked result (42501): as after an error on the server, the
 * client gets nothing more of that batch but its ReadyForQuery, and what the batch's later statements did on the
 * server is undone (its implicit transaction rolled back), or the client's transaction is aborted. Raw frames from
 * the engineer (writer) account under the demo policy, against the real PostgreSQL; order 205's status is the witness.
 */
@Tag("servers")
@QuarkusTest
@TestProfile(MaskingLeakTestProfile.class)
@QuarkusTestResource(VeilTestResource.class)
class PgWithheldBatchThroughVeilTest {
    private static final String WITHHELD = "SELECT email FROM customers WHERE id = 1"; // no Describe: Veil cannot mask it
    private static final String LATER_WRITE = "UPDATE orders SET status = 'veil-withheld' WHERE id = 205";

    private String before;

    @BeforeEach
    void rememberTheOrder() throws Exception {
        before = status205();
    }

    @AfterEach
    void restoreTheOrder() throws Exception {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE orders SET status = '" + before + "' WHERE id = 205");
        }
    }

    private static Connection admin() throws Exception {
        return DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.ADMIN_USER,
                VeilTestResource.ADMIN_PASSWORD);
    }

    private static String status205() throws Exception {
        try (Connection c = admin(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status FROM orders WHERE id = 205")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aWithheldResultEndsTheBatchAndItsLaterWriteIsRolledBack() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.login(VeilTestResource.WRITER, VeilTestResource.WRITER_PASSWORD, "shop");
            c.sendRaw(concat(parse(WITHHELD), bind(), execute(), parse(LATER_WRITE), bind(), execute(), sync()));
            List<String> answer = untilReady(c);
            assertThat(answer).containsExactly("1", "2", "E 42501", "Z I");
            assertThat(status205()).isEqualTo(before);

            // the session goes on: the next batch runs as usual
            c.sendRaw(concat(parse("SELECT 1"), bind(), execute(), sync()));
            assertThat(untilReady(c)).containsExactly("1", "2", "D", "C SELECT 1", "Z I");
        }
    }

    @Test
    void insideTheClientsTransactionTheTransactionIsAbortedAsAnErrorWouldLeaveIt() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.login(VeilTestResource.WRITER, VeilTestResource.WRITER_PASSWORD, "shop");
            c.send('Q', cstring("BEGIN"));
            assertThat(untilReady(c)).containsExactly("C BEGIN", "Z T");
            c.sendRaw(concat(parse(WITHHELD), bind(), execute(), parse(LATER_WRITE), bind(), execute(), sync()));
            assertThat(untilReady(c)).containsExactly("1", "2", "E 42501", "Z E");
            c.send('Q', cstring("COMMIT"));
            assertThat(untilReady(c)).containsExactly("C ROLLBACK", "Z I");
            assertThat(status205()).isEqualTo(before);
        }
    }

    /** Each message up to ReadyForQuery: its type, with the SQLSTATE of an error, the tag of a CommandComplete, the status. */
    private static List<String> untilReady(RawPgClient c) throws Exception {
        List<String> out = new ArrayList<>();
        while (true) {
            RawPgClient.Message m = c.read();
            switch (m.type()) {
                case 'E' -> out.add("E " + m.fields().get('C'));
                case 'C' -> out.add("C " + new String(m.body(), 0, m.body().length - 1, StandardCharsets.UTF_8));
                case 'Z' -> {
                    out.add("Z " + (char) m.body()[0]);
                    return out;
                }
                case 'N', 'S' -> { }
                default -> out.add(String.valueOf(m.type()));
            }
        }
    }

    private static byte[] cstring(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static byte[] message(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    private static byte[] parse(String sql) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(cstring(""));
        b.writeBytes(cstring(sql));
        b.writeBytes(new byte[] {0, 0});
        return message('P', b.toByteArray());
    }

    private static byte[] bind() {
        return message('B', new byte[] {0, 0, 0, 0, 0, 0, 0, 0});
    }

    private static byte[] execute() {
        return message('E', new byte[] {0, 0, 0, 0, 0});
    }

    private static byte[] sync() {
        return message('S', new byte[0]);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
