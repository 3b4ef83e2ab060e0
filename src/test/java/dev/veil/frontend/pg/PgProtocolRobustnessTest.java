package dev.veil.frontend.pg;

import dev.veil.testing.AllocatedBytes;
import dev.veil.testing.RawPgClient;
import dev.veil.testing.VeilTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input ends that one connection with 08P01; nothing else is disturbed. */
@Tag("servers")
@QuarkusTest
@QuarkusTestResource(VeilTestResource.class)
class PgProtocolRobustnessTest {

    /** After every abuse, a well-behaved client still gets served. */
    @AfterEach
    void gatewayStillServesOthers() throws Exception {
        try (Connection c = DriverManager.getConnection(VeilTestResource.veilUrl("shop", ""), VeilTestResource.USER, VeilTestResource.PASSWORD);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(10_000);
        }
    }

    private static void assertFatal08P01(RawPgClient client, String messagePart) throws Exception {
        RawPgClient.Message m = client.read();
        assertThat(m.type()).isEqualTo('E');
        assertThat(m.fields().get('S')).isEqualTo("FATAL");
        assertThat(m.fields().get('C')).isEqualTo("08P01");
        assertThat(m.fields().get('M')).contains(messagePart);
        assertThat(client.closedByPeer()).isTrue();
    }

    @Test
    void startupPacketWithImpossibleLengthIsClosedWithoutAReplyAsPostgresDoes() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendRaw(ByteBuffer.allocate(8).putInt(3).putInt(196608).array());
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendRaw(ByteBuffer.allocate(8).putInt(1_000_000).putInt(196608).array());
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void startupLengthIsJudgedOnItsFirstFourBytes() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendRaw(ByteBuffer.allocate(4).putInt(64 * 1024 * 1024).array());
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void terminateBeforeTheStartupMessageClosesWithoutAReply() throws Exception {
        // 'X' and its length word read as a startup length of 0x58000000: PostgreSQL logs it and closes.
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendRaw(new byte[]{'X', 0, 0, 0, 4});
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void anOversizedMessageBeforeLoginIsRefusedAtItsHeader() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendStartup(VeilTestResource.USER, "shop");
            assertThat(c.read().type()).isEqualTo('R');
            // Only the header of a password message just under the 64 MiB limit after login: the answer must
            // not wait for (nor make room for) its body.
            c.sendRaw(ByteBuffer.allocate(5).put((byte) 'p').putInt(64 * 1024 * 1024 - 1).array());
            assertFatal08P01(c, "over the limit of 16384 bytes for a message before login");
        }
    }

    @Tag("faults")
    @Test
    void twentyClientsDeclaring64MiBBeforeLoginCostVeilNoMemory() throws Exception {
        List<RawPgClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                RawPgClient c = new RawPgClient(VeilTestResource.veilPort());
                clients.add(c);
                c.sendStartup(VeilTestResource.USER, "shop");
                assertThat(c.read().type()).isEqualTo('R');
            }
            AllocatedBytes.Snapshot before = AllocatedBytes.ofAllThreads();
            for (RawPgClient c : clients) {
                // Six bytes each: a header declaring 64 MiB and the first byte of its body.
                c.sendRaw(ByteBuffer.allocate(6).put((byte) 'p').putInt(64 * 1024 * 1024 - 1).put((byte) 'S').array());
            }
            for (RawPgClient c : clients) {
                assertFatal08P01(c, "before login");
            }
            // Allocating the declared length would cost 20 x 64 MiB; the refusals themselves cost a few kB each.
            assertThat(before.since()).as("bytes allocated in this JVM while the 20 headers were refused")
                    .isLessThan(64L * 1024 * 1024);
        } finally {
            for (RawPgClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void unencryptedBytesPipelinedAfterSslRequestAreRefused() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            ByteBuffer b = ByteBuffer.allocate(16).putInt(8).putInt(80877103).putInt(8).putInt(196608);
            c.sendRaw(b.array());
            assertFatal08P01(c, "unencrypted data after SSL request");
        }
    }

    @Test
    void gssEncryptionIsDeclinedAndStartupContinues() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendRaw(ByteBuffer.allocate(8).putInt(8).putInt(80877104).array());
            assertThat(c.readByte()).isEqualTo('N');
            c.login(VeilTestResource.USER, VeilTestResource.PASSWORD, "shop");
        }
    }

    @Test
    void frameShorterThanItsHeaderEndsTheConnection() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.login(VeilTestResource.USER, VeilTestResource.PASSWORD, "shop");
            c.sendRaw(new byte[]{'Q', 0, 0, 0, 2});
            assertFatal08P01(c, "invalid message length 2");
        }
    }

    @Test
    void frameOverTheSizeLimitEndsTheConnectionWithoutBufferingIt() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.login(VeilTestResource.USER, VeilTestResource.PASSWORD, "shop");
            c.sendRaw(new byte[]{'Q', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertFatal08P01(c, "over the limit of 67108864 bytes (veil.pg.max-message-bytes; raise it");
        }
    }

    @Test
    void unknownMessageTypeEndsTheConnection() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.login(VeilTestResource.USER, VeilTestResource.PASSWORD, "shop");
            c.send('z', "junk".getBytes(StandardCharsets.US_ASCII));
            assertFatal08P01(c, "invalid frontend message type 122");
        }
    }

    @Test
    void nonPasswordMessageDuringAuthenticationIsRefused() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendStartup(VeilTestResource.USER, "shop");
            assertThat(c.read().type()).isEqualTo('R');
            c.send('Q', "SELECT 1\0".getBytes(StandardCharsets.US_ASCII));
            assertFatal08P01(c, "expected password response");
        }
    }

    @Test
    void aReplicationValueTheServerWouldNotAcceptIsAFatal22023BeforeAuthentication() throws Exception {
        // Replication connections themselves are a grant of the policy (PgReplicationThroughVeilTest).
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            byte[] params = ("user\0" + VeilTestResource.USER + "\0database\0shop\0replication\0physical\0\0").getBytes(StandardCharsets.UTF_8);
            c.sendRaw(ByteBuffer.allocate(8 + params.length).putInt(8 + params.length).putInt(196608).put(params).array());
            RawPgClient.Message m = c.read();
            assertThat(m.fields().get('C')).isEqualTo("22023");
            assertThat(m.fields().get('M')).isEqualTo("invalid value for parameter \"replication\": \"physical\"; valid values are"
                    + " \"false\", 0, \"true\", 1, \"database\"");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void cancelRequestWithUnknownKeyIsIgnoredAndClosed() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.sendRaw(ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(12345).putInt(67890).array());
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void simpleQueryOverRawFramesReturnsRowsThenReadyForQuery() throws Exception {
        try (RawPgClient c = new RawPgClient(VeilTestResource.veilPort())) {
            c.login(VeilTestResource.USER, VeilTestResource.PASSWORD, "shop");
            c.send('Q', "SELECT 1; SELECT 2\0".getBytes(StandardCharsets.US_ASCII));
            StringBuilder types = new StringBuilder();
            RawPgClient.Message m;
            do {
                m = c.read();
                types.append(m.type());
            } while (m.type() != 'Z');
            assertThat(types.toString()).isEqualTo("TDCTDCZ");
            c.send('X', new byte[0]);
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}
