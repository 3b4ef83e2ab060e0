package dev.veil.frontend.mysql;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.veil.error.VeilException;
import dev.veil.protocol.mysql.Capabilities;
import dev.veil.protocol.mysql.CompressedFrames;
import dev.veil.protocol.mysql.HandshakeResponse41;
import dev.veil.protocol.mysql.MalformedPacketException;
import dev.veil.protocol.mysql.PacketDecoder;
import dev.veil.protocol.mysql.PacketTooLargeException;
import dev.veil.protocol.mysql.SSLRequest;
import dev.veil.testing.SocketChunks;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz targets for the bytes a MySQL client sends, before and after login. `make test` runs each on its
 * checked-in inputs ({@code MySqlDecodersFuzzTestInputs/<method>/}); `make fuzz` fuzzes them (docs/testing.md).
 * Every input is fed twice, in one read and cut into small reads, and both must give the same packets and end
 * the same way. A connection may end only with MalformedPacketException, PacketTooLargeException or
 * VeilException: the three MySqlConnection turns into an ERR packet with its errno; anything else is a bug.
 */
class MySqlDecodersFuzzTest {
    /** Small, so that inputs of a few kB reach the limit after login too. */
    private static final int LIMIT_AFTER_LOGIN = 4096;
    /** What Connector/J offers: the capabilities the command decoders are given after login. */
    private static final int CLIENT_CAPABILITIES = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION
            | Capabilities.PLUGIN_AUTH | Capabilities.MULTI_STATEMENTS | Capabilities.MULTI_RESULTS
            | Capabilities.SESSION_TRACK | Capabilities.DEPRECATE_EOF;

    /**
     * The handshake response (or the SSLRequest that stands for it) as the first packet, then the packets of
     * the authentication exchange, under the pre-login cap: what the decoder holds of a partial packet stays
     * within it.
     */
    @FuzzTest
    void beforeLogin(byte[] input) {
        assertSameWhateverTheReads(input, BeforeLogin::new);
    }

    /** Command packets under a limit, each judged by the command admission rules as MySqlCommandPhase does. */
    @FuzzTest
    void afterLogin(byte[] input) {
        assertSameWhateverTheReads(input, AfterLogin::new);
    }

    /**
     * Compressed frames (a session that negotiated CLIENT_COMPRESS): each inflates to at most its declared length,
     * and the same bytes give the same frames or the same refusal whatever the reads.
     */
    @FuzzTest
    void compressedFrames(byte[] input) {
        assertThat(inflate(SocketChunks.pieces(input))).as("the same bytes in small reads").isEqualTo(inflate(SocketChunks.whole(input)));
    }

    private static List<String> inflate(List<Buffer> reads) {
        List<String> seen = new ArrayList<>();
        CompressedFrames frames = new CompressedFrames();
        try {
            for (Buffer chunk : reads) {
                frames.decode(chunk.getByteBuf().copy(), (seq, inflated) -> {
                    assertThat(inflated.readableBytes()).isLessThanOrEqualTo(0xFFFFFF);
                    seen.add(seq + ": " + HexFormat.of().formatHex(ByteBufUtil.getBytes(inflated)));
                    inflated.release();
                });
            }
            seen.add("open");
        } catch (MalformedPacketException e) {
            seen.add("ended: " + e.getMessage());
        } finally {
            frames.close();
        }
        return seen;
    }

    private static void assertSameWhateverTheReads(byte[] input, Supplier<Connection> connection) {
        List<String> whole = connection.get().run(SocketChunks.whole(input));
        List<String> pieces = connection.get().run(SocketChunks.pieces(input));
        assertThat(pieces).as("the same bytes in small reads").isEqualTo(whole);
    }

    /** One client connection's worth of decoding: what it saw, packet by packet, and how it ended. */
    private abstract static class Connection {
        final List<String> seen = new ArrayList<>();
        final PacketDecoder packets = PacketDecoder.beforeLogin();

        abstract void onPacket(int sequenceId, Buffer payload);

        abstract int limit();

        List<String> run(List<Buffer> reads) {
            try {
                for (Buffer chunk : reads) {
                    packets.feed(chunk, (seq, buf, off, len) -> onPacket(seq, buf.slice(off, off + len)));
                    assertThat(packets.pendingBytes()).isLessThan(4 + limit());
                }
                seen.add("open");
            } catch (MalformedPacketException | PacketTooLargeException | VeilException e) {
                seen.add("ended: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            } catch (TlsFollows e) {
                seen.add("TLS follows");
            }
            return seen;
        }
    }

    /** After an SSLRequest the bytes are TLS, not packets: MySqlConnection hands them to the TLS layer. */
    private static final class TlsFollows extends RuntimeException {
        TlsFollows() {
            super(null, null, false, false);
        }
    }

    private static final class BeforeLogin extends Connection {
        private boolean first = true;

        @Override
        int limit() {
            return PacketDecoder.MAX_PAYLOAD_BEFORE_LOGIN;
        }

        @Override
        void onPacket(int sequenceId, Buffer payload) {
            assertThat(payload.length()).isLessThanOrEqualTo(limit());
            if (!first) {
                // Authentication data (a scramble, a password, an RSA-encrypted one): opaque bytes to the decoder.
                seen.add("auth packet " + sequenceId + ": " + HexFormat.of().formatHex(payload.getBytes()));
                return;
            }
            first = false;
            if (SSLRequest.matches(payload)) {
                seen.add(String.valueOf(SSLRequest.decode(payload)));
                throw new TlsFollows();
            }
            HandshakeResponse41 response = HandshakeResponse41.decode(payload);
            seen.add(response + " auth " + HexFormat.of().formatHex(response.authResponse()) + " attributes "
                    + response.attributes());
        }
    }

    private static final class AfterLogin extends Connection {
        private final MySqlCommandAdmission admission = new MySqlCommandAdmission();

        AfterLogin() {
            // As MySqlConnection once the client is logged in.
            packets.limit(LIMIT_AFTER_LOGIN);
        }

        @Override
        int limit() {
            return LIMIT_AFTER_LOGIN;
        }

        @Override
        void onPacket(int sequenceId, Buffer payload) {
            assertThat(payload.length()).isLessThanOrEqualTo(limit());
            MySqlCommandAdmission.Verdict verdict;
            try {
                verdict = admission.admit(payload, CLIENT_CAPABILITIES);
            } catch (VeilException e) {
                // A refusal: answered with an ERR, and the connection goes on unless it is fatal.
                seen.add("refused: " + e.code() + (e.fatal() ? " (fatal) " : " ") + e.getMessage());
                if (e.fatal()) {
                    throw e;
                }
                return;
            }
            int outcomes = (verdict.forward() ? 1 : 0) + (verdict.local() != null ? 1 : 0) + (verdict.refusal() != null ? 1 : 0);
            assertThat(outcomes).as("forwarded, answered by Veil or refused: exactly one (%s)", verdict).isEqualTo(1);
            seen.add(verdict.forward() ? "forward " + verdict.shape() + (verdict.changesSchema() ? ", schema may change" : "")
                    : verdict.local() == MySqlCommandAdmission.Local.KILL
                    ? "kill " + verdict.killId() + (verdict.killConnection() ? " connection" : " query")
                    : String.valueOf(verdict.local()));
        }
    }
}
