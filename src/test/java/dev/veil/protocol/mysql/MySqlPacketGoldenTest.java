package dev.veil.protocol.mysql;

import dev.veil.testing.GoldenHex;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.veil.protocol.mysql.Capabilities.CONNECT_ATTRS;
import static dev.veil.protocol.mysql.Capabilities.CONNECT_WITH_DB;
import static dev.veil.protocol.mysql.Capabilities.DEPRECATE_EOF;
import static dev.veil.protocol.mysql.Capabilities.FOUND_ROWS;
import static dev.veil.protocol.mysql.Capabilities.LONG_PASSWORD;
import static dev.veil.protocol.mysql.Capabilities.MULTI_RESULTS;
import static dev.veil.protocol.mysql.Capabilities.MULTI_STATEMENTS;
import static dev.veil.protocol.mysql.Capabilities.PLUGIN_AUTH;
import static dev.veil.protocol.mysql.Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA;
import static dev.veil.protocol.mysql.Capabilities.PROTOCOL_41;
import static dev.veil.protocol.mysql.Capabilities.PS_MULTI_RESULTS;
import static dev.veil.protocol.mysql.Capabilities.SECURE_CONNECTION;
import static dev.veil.protocol.mysql.Capabilities.SESSION_TRACK;
import static dev.veil.protocol.mysql.Capabilities.SSL;
import static dev.veil.protocol.mysql.Capabilities.TRANSACTIONS;
import static dev.veil.testing.GoldenHex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every MySQL packet Veil writes, against bytes derived by hand from dev.mysql.com "Client/Server Protocol"
 * and mariadb.com "Client/Server Protocol" (the golden files under {@code golden/mysql/} explain each field),
 * and every decoder fed with those same hand-made bytes.
 */
class MySqlPacketGoldenTest {
    private static final byte[] NONCE_UPPER = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_LOWER = "abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AUTH_1_TO_20 = new byte[20];

    static {
        for (int i = 0; i < 20; i++) {
            AUTH_1_TO_20[i] = (byte) (i + 1);
        }
    }

    private static byte[] golden(String name) {
        return GoldenHex.load("mysql", name);
    }

    private static Buffer goldenBuffer(String name) {
        return GoldenHex.buffer("mysql", name);
    }

    private static void assertEncodesAs(Buffer encoded, String name) {
        assertThat(hex(encoded)).as("golden/mysql/%s.hex", name).isEqualTo(hex(golden(name)));
    }

    private static byte[] withNul(byte[] b) {
        return Arrays.copyOf(b, b.length + 1);
    }

    @Nested
    class InitialHandshake {
        private static final int MYSQL_CAPS = LONG_PASSWORD | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS
                | SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS | PLUGIN_AUTH | PLUGIN_AUTH_LENENC_CLIENT_DATA
                | DEPRECATE_EOF;
        private static final int MARIADB_CAPS = FOUND_ROWS | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS
                | SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS | PS_MULTI_RESULTS | PLUGIN_AUTH | CONNECT_ATTRS
                | PLUGIN_AUTH_LENENC_CLIENT_DATA | SESSION_TRACK | DEPRECATE_EOF;
        private static final int MARIADB_EXTENDED = 0x1d;

        @Test
        void encodesTheNonceInTwoPartsWithPluginName() {
            HandshakeV10 h = new HandshakeV10("8.0.40", 7, NONCE_UPPER, MYSQL_CAPS, 45, ServerStatus.AUTOCOMMIT,
                    "caching_sha2_password", 0);
            assertEncodesAs(h.encode(), "handshake-v10-mysql");
        }

        @Test
        void decodesAMySqlGreetingIntoTheWholeNonceWithoutItsNul() {
            HandshakeV10 h = HandshakeV10.decode(goldenBuffer("handshake-v10-mysql"));
            assertThat(h.serverVersion()).isEqualTo("8.0.40");
            assertThat(h.connectionId()).isEqualTo(7);
            assertThat(h.authPluginData()).isEqualTo(NONCE_UPPER);
            assertThat(h.capabilities()).isEqualTo(MYSQL_CAPS);
            assertThat(h.characterSet()).isEqualTo(45);
            assertThat(h.statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
            assertThat(h.authPluginName()).isEqualTo("caching_sha2_password");
            assertThat(h.mariaDbCapabilities()).isZero();
        }

        @Test
        void encodesTheSecondNoncePartWithoutPluginNameWhenPluginAuthIsOff() {
            HandshakeV10 h = new HandshakeV10("5.7.44", 258, NONCE_UPPER,
                    LONG_PASSWORD | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION, 8, 0, "mysql_native_password", 0);
            assertEncodesAs(h.encode(), "handshake-v10-secure-connection-only");
        }

        @Test
        void decodesAGreetingWithoutPluginNameAsMysqlNativePassword() {
            HandshakeV10 h = HandshakeV10.decode(goldenBuffer("handshake-v10-secure-connection-only"));
            assertThat(h.authPluginData()).isEqualTo(NONCE_UPPER);
            assertThat(h.authPluginName()).isEqualTo("mysql_native_password");
            assertThat(h.capabilities()).isEqualTo(LONG_PASSWORD | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION);
            assertThat(h.connectionId()).isEqualTo(258);
            assertThat(h.characterSet()).isEqualTo(8);
        }

        @Test
        void encodesOnlyTheFirstEightNonceBytesWithoutSecureConnection() {
            HandshakeV10 h = new HandshakeV10("5.0.96", 1, "ABCDEFGH".getBytes(StandardCharsets.US_ASCII),
                    LONG_PASSWORD | PROTOCOL_41, 8, ServerStatus.AUTOCOMMIT, "mysql_native_password", 0);
            assertEncodesAs(h.encode(), "handshake-v10-no-secure-connection");
        }

        @Test
        void decodesAGreetingWithoutSecureConnectionIntoAnEightByteNonce() {
            HandshakeV10 h = HandshakeV10.decode(goldenBuffer("handshake-v10-no-secure-connection"));
            assertThat(h.serverVersion()).isEqualTo("5.0.96");
            assertThat(h.authPluginData()).isEqualTo("ABCDEFGH".getBytes(StandardCharsets.US_ASCII));
            assertThat(h.capabilities()).isEqualTo(LONG_PASSWORD | PROTOCOL_41);
            assertThat(h.statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
        }

        @Test
        void encodesMariaDbExtendedCapabilitiesInTheLastFourReservedBytes() {
            HandshakeV10 h = new HandshakeV10("5.5.5-10.11.6-MariaDB", 0x12345, NONCE_LOWER, MARIADB_CAPS, 33,
                    ServerStatus.AUTOCOMMIT, "mysql_native_password", MARIADB_EXTENDED);
            assertEncodesAs(h.encode(), "handshake-v10-mariadb");
        }

        @Test
        void decodesAMariaDbGreetingWithItsExtendedCapabilities() {
            HandshakeV10 h = HandshakeV10.decode(goldenBuffer("handshake-v10-mariadb"));
            assertThat(h.serverVersion()).isEqualTo("5.5.5-10.11.6-MariaDB");
            assertThat(h.connectionId()).isEqualTo(0x12345);
            assertThat(h.authPluginData()).isEqualTo(NONCE_LOWER);
            assertThat(h.capabilities()).isEqualTo(MARIADB_CAPS);
            assertThat(Capabilities.has(h.capabilities(), LONG_PASSWORD)).as("CLIENT_MYSQL").isFalse();
            assertThat(h.mariaDbCapabilities()).isEqualTo(MARIADB_EXTENDED);
            assertThat(h.characterSet()).isEqualTo(33);
            assertThat(h.authPluginName()).isEqualTo("mysql_native_password");
        }

        @Test
        void doesNotReadAMySqlServersReservedBytesAsMariaDbCapabilities() {
            // Same bytes as the MariaDB greeting, but with CLIENT_MYSQL (bit 0) set: the 4 bytes stay reserved.
            Buffer b = goldenBuffer("handshake-v10-mariadb");
            int capsOffset = 1 + "5.5.5-10.11.6-MariaDB".length() + 1 + 4 + 8 + 1;
            b.setByte(capsOffset, (byte) (b.getByte(capsOffset) | LONG_PASSWORD));
            HandshakeV10 h = HandshakeV10.decode(b);
            assertThat(Capabilities.has(h.capabilities(), LONG_PASSWORD)).isTrue();
            assertThat(h.mariaDbCapabilities()).isZero();
            assertThat(h.authPluginData()).isEqualTo(NONCE_LOWER);
        }

        @Test
        void refusesAnotherProtocolVersion() {
            Buffer v9 = goldenBuffer("handshake-v10-mysql");
            v9.setByte(0, (byte) 9);
            assertThatThrownBy(() -> HandshakeV10.decode(v9)).isInstanceOf(MalformedPacketException.class)
                    .hasMessageContaining("protocol version 9");
        }

        @Test
        void reportsAServerThatRefusesTheConnectionBeforeGreeting() {
            Buffer err = goldenBuffer("err-packet");
            assertThatThrownBy(() -> HandshakeV10.decode(err)).isInstanceOf(MalformedPacketException.class)
                    .hasMessageContaining("Access denied for user 'bob'");
        }

        @Test
        void refusesATruncatedGreeting() {
            byte[] whole = golden("handshake-v10-mysql");
            Buffer cut = Buffer.buffer(Arrays.copyOf(whole, 12));
            assertThatThrownBy(() -> HandshakeV10.decode(cut)).isInstanceOf(MalformedPacketException.class);
        }
    }

    @Nested
    class HandshakeResponse {
        private static final int FULL = LONG_PASSWORD | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION
                | MULTI_STATEMENTS | MULTI_RESULTS | PLUGIN_AUTH | CONNECT_ATTRS | PLUGIN_AUTH_LENENC_CLIENT_DATA
                | DEPRECATE_EOF;

        private Map<String, String> attributes() {
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("_client_name", "veil");
            attrs.put("_os", "Linux");
            return attrs;
        }

        @Test
        void encodesDatabasePluginAndConnectAttributes() {
            HandshakeResponse41 r = new HandshakeResponse41(FULL, 0x01000000L, 45, "veil", AUTH_1_TO_20, "shop",
                    "mysql_native_password", attributes());
            assertEncodesAs(r.encode(), "handshake-response-41");
        }

        @Test
        void decodesDatabasePluginAndConnectAttributes() {
            HandshakeResponse41 r = HandshakeResponse41.decode(goldenBuffer("handshake-response-41"));
            assertThat(r.capabilities()).isEqualTo(FULL);
            assertThat(r.maxPacketSize()).isEqualTo(0x01000000L);
            assertThat(r.characterSet()).isEqualTo(45);
            assertThat(r.user()).isEqualTo("veil");
            assertThat(r.authResponse()).isEqualTo(AUTH_1_TO_20);
            assertThat(r.database()).isEqualTo("shop");
            assertThat(r.authPluginName()).isEqualTo("mysql_native_password");
            assertThat(r.attributes()).containsExactlyEntriesOf(attributes());
        }

        @Test
        void encodesAnAuthResponseOfMoreThan250BytesWithATwoByteLength() {
            byte[] token = withNul("a".repeat(250).getBytes(StandardCharsets.US_ASCII));
            HandshakeResponse41 r = new HandshakeResponse41(PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH
                    | PLUGIN_AUTH_LENENC_CLIENT_DATA, 0x40000000L, 255, "alice", token, null, "mysql_clear_password", Map.of());
            assertEncodesAs(r.encode(), "handshake-response-41-long-token");
        }

        @Test
        void decodesAnAuthResponseOfMoreThan250Bytes() {
            HandshakeResponse41 r = HandshakeResponse41.decode(goldenBuffer("handshake-response-41-long-token"));
            assertThat(r.authResponse()).hasSize(251);
            assertThat(new String(r.authResponse(), 0, 250, StandardCharsets.US_ASCII)).isEqualTo("a".repeat(250));
            assertThat(r.authResponse()[250]).isZero();
            assertThat(r.user()).isEqualTo("alice");
            assertThat(r.characterSet()).isEqualTo(255);
            assertThat(r.maxPacketSize()).isEqualTo(0x40000000L);
            assertThat(r.database()).isNull();
            assertThat(r.authPluginName()).isEqualTo("mysql_clear_password");
            assertThat(r.attributes()).isEmpty();
        }

        @Test
        void encodesAOneByteAuthLengthWithoutLenencClientData() {
            HandshakeResponse41 r = new HandshakeResponse41(LONG_PASSWORD | PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH,
                    0xFFFFFFL, 33, "root", AUTH_1_TO_20, null, "mysql_native_password", Map.of());
            assertEncodesAs(r.encode(), "handshake-response-41-secure-connection");
        }

        @Test
        void decodesAOneByteAuthLength() {
            HandshakeResponse41 r = HandshakeResponse41.decode(goldenBuffer("handshake-response-41-secure-connection"));
            assertThat(r.user()).isEqualTo("root");
            assertThat(r.authResponse()).isEqualTo(AUTH_1_TO_20);
            assertThat(r.authPluginName()).isEqualTo("mysql_native_password");
            assertThat(r.database()).isNull();
            assertThat(r.maxPacketSize()).isEqualTo(0xFFFFFFL);
        }

        @Test
        void refusesAClientWithoutProtocol41() {
            Buffer old = goldenBuffer("handshake-response-41-secure-connection");
            old.setByte(1, (byte) 0x80); // clears PROTOCOL_41 (0x0200) in the low capability bytes
            assertThatThrownBy(() -> HandshakeResponse41.decode(old)).isInstanceOf(MalformedPacketException.class);
        }

        @Test
        void refusesAnAuthResponseLongerThanThePacket() {
            byte[] b = golden("handshake-response-41-long-token");
            Buffer cut = Buffer.buffer(Arrays.copyOf(b, 32 + 6 + 3 + 100));
            assertThatThrownBy(() -> HandshakeResponse41.decode(cut)).isInstanceOf(MalformedPacketException.class);
        }

        @Test
        void neverPrintsTheAuthResponse() {
            HandshakeResponse41 r = HandshakeResponse41.decode(goldenBuffer("handshake-response-41-long-token"));
            assertThat(r.toString()).contains("alice").doesNotContain("aaaa");
        }
    }

    @Nested
    class SslRequestPacket {
        private static final int CAPS = LONG_PASSWORD | PROTOCOL_41 | SSL | TRANSACTIONS | SECURE_CONNECTION | PLUGIN_AUTH
                | PLUGIN_AUTH_LENENC_CLIENT_DATA;

        @Test
        void encodesThe32BytePrefixOfAHandshakeResponse() {
            assertEncodesAs(new SSLRequest(CAPS, 0x01000000L, 45).encode(), "ssl-request");
        }

        @Test
        void recognisesAndDecodesAnSslRequest() {
            Buffer b = goldenBuffer("ssl-request");
            assertThat(SSLRequest.matches(b)).isTrue();
            SSLRequest r = SSLRequest.decode(b);
            assertThat(r.capabilities()).isEqualTo(CAPS);
            assertThat(r.maxPacketSize()).isEqualTo(0x01000000L);
            assertThat(r.characterSet()).isEqualTo(45);
        }

        @Test
        void doesNotTakeAFullHandshakeResponseOrA32ByteOneWithoutSslForAnSslRequest() {
            assertThat(SSLRequest.matches(goldenBuffer("handshake-response-41"))).isFalse();
            Buffer noSsl = goldenBuffer("ssl-request");
            noSsl.setByte(1, (byte) (noSsl.getByte(1) & ~0x08)); // clears SSL 0x0800
            assertThat(SSLRequest.matches(noSsl)).isFalse();
        }
    }

    @Nested
    class AuthenticationExchange {
        @Test
        void encodesAnAuthSwitchRequestWithTheNulTerminatedNonce() {
            assertEncodesAs(new AuthSwitchRequest("caching_sha2_password", withNul(NONCE_UPPER)).encode(),
                    "auth-switch-request-caching-sha2");
        }

        @Test
        void decodesAnAuthSwitchRequestIntoTheNonceWithoutItsNul() {
            AuthSwitchRequest r = AuthSwitchRequest.decode(goldenBuffer("auth-switch-request-caching-sha2"));
            assertThat(r.pluginName()).isEqualTo("caching_sha2_password");
            assertThat(r.pluginData()).isEqualTo(NONCE_UPPER);
        }

        @Test
        void encodesAnAuthSwitchRequestWithoutData() {
            assertEncodesAs(new AuthSwitchRequest("mysql_clear_password", new byte[0]).encode(),
                    "auth-switch-request-clear-password");
        }

        @Test
        void decodesAnAuthSwitchRequestWithoutData() {
            AuthSwitchRequest r = AuthSwitchRequest.decode(goldenBuffer("auth-switch-request-clear-password"));
            assertThat(r.pluginName()).isEqualTo("mysql_clear_password");
            assertThat(r.pluginData()).isEmpty();
        }

        @Test
        void encodesCachingSha2Verdicts() {
            assertEncodesAs(new AuthMoreData(new byte[]{AuthMoreData.FAST_AUTH_SUCCESS}).encode(), "auth-more-data-fast-auth-success");
            assertEncodesAs(new AuthMoreData(new byte[]{AuthMoreData.PERFORM_FULL_AUTHENTICATION}).encode(),
                    "auth-more-data-perform-full-authentication");
        }

        @Test
        void decodesCachingSha2Verdicts() {
            assertThat(AuthMoreData.decode(goldenBuffer("auth-more-data-fast-auth-success")).data())
                    .containsExactly(AuthMoreData.FAST_AUTH_SUCCESS);
            assertThat(AuthMoreData.decode(goldenBuffer("auth-more-data-perform-full-authentication")).data())
                    .containsExactly(AuthMoreData.PERFORM_FULL_AUTHENTICATION);
        }
    }

    @Nested
    class ResultPackets {
        private static final String INFO = "Rows matched: 1  Changed: 1  Warnings: 0";

        @Test
        void encodesAnOkWithoutSessionTrackAndLeavesAnEmptyInfoOut() {
            OkPacket ok = new OkPacket(1, 300, ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT, 2, "");
            assertEncodesAs(ok.encode(false), "ok-packet");
        }

        @Test
        void encodesAnOkInfoToTheEndOfThePacketWithoutSessionTrack() {
            assertEncodesAs(new OkPacket(1, 0, ServerStatus.AUTOCOMMIT, 0, INFO).encode(false), "ok-packet-info");
        }

        @Test
        void encodesAnOkInfoAsALengthEncodedStringUnderSessionTrack() {
            OkPacket ok = new OkPacket(1, 300, ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT, 2, null);
            assertEncodesAs(ok.encode(true), "ok-packet-session-track");
            assertEncodesAs(new OkPacket(1, 0, ServerStatus.AUTOCOMMIT, 0, INFO).encode(true), "ok-packet-session-track-info");
        }

        @Test
        void decodesTheSharedLeadingFieldsOfEveryOkVariant() {
            for (String name : new String[]{"ok-packet", "ok-packet-session-track"}) {
                Buffer b = goldenBuffer(name);
                OkPacket ok = OkPacket.decode(b, 0, b.length());
                assertThat(ok.affectedRows()).as(name).isEqualTo(1);
                assertThat(ok.lastInsertId()).as(name).isEqualTo(300);
                assertThat(ok.statusFlags()).as(name).isEqualTo(ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT);
                assertThat(ok.warnings()).as(name).isEqualTo(2);
            }
            for (String name : new String[]{"ok-packet-info", "ok-packet-session-track-info"}) {
                Buffer b = goldenBuffer(name);
                OkPacket ok = OkPacket.decode(b, 0, b.length());
                assertThat(ok.affectedRows()).as(name).isEqualTo(1);
                assertThat(ok.statusFlags()).as(name).isEqualTo(ServerStatus.AUTOCOMMIT);
            }
        }

        @Test
        void decodesAnOkInsideALargerBuffer() {
            Buffer b = Buffer.buffer(new byte[]{9, 9, 9}).appendBuffer(goldenBuffer("ok-packet")).appendByte((byte) 7);
            OkPacket ok = OkPacket.decode(b, 3, b.length() - 4);
            assertThat(ok.lastInsertId()).isEqualTo(300);
            assertThat(ok.warnings()).isEqualTo(2);
        }

        @Test
        void encodesAnErrWithSqlStateMarker() {
            assertEncodesAs(new ErrPacket(1045, "28000", "Access denied for user 'bob'").encode(), "err-packet");
        }

        @Test
        void decodesAnErrWithSqlState() {
            ErrPacket e = ErrPacket.decode(goldenBuffer("err-packet"), true);
            assertThat(e).isEqualTo(new ErrPacket(1045, "28000", "Access denied for user 'bob'"));
        }

        @Test
        void decodesAnErrWithoutSqlStateMarkerAsHy000() {
            // Pre-4.1 servers, and errors sent before capabilities are known, carry no '#' and SQLSTATE.
            Buffer b = Buffer.buffer(new byte[]{(byte) 0xff, 0x15, 0x04}).appendString("Access denied");
            assertThat(ErrPacket.decode(b, true)).isEqualTo(new ErrPacket(1045, "HY000", "Access denied"));
        }

        @Test
        void encodesAnEofWithWarningsAndStatus() {
            EofPacket eof = new EofPacket(1, ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS);
            assertEncodesAs(eof.encode(), "eof-packet");
        }
    }

    @Nested
    class Framing {
        private static final int MAX = Packets.MAX_PAYLOAD;

        @Test
        void framesASmallPayloadWithLengthAndSequenceId() {
            assertEncodesAs(Packets.frame(0, Buffer.buffer(new byte[]{Command.COM_PING})), "frame-com-ping");
            assertThat(Packets.packetCount(1)).isEqualTo(1);
        }

        @Test
        void framesAnEmptyPayloadAsAHeaderOnly() {
            assertEncodesAs(Packets.frame(3, Buffer.buffer()), "frame-empty-payload");
        }

        @Test
        void framesAPayloadOfOneByteLessThanTheMaximumAsOnePacket() {
            Buffer payload = Buffer.buffer(new byte[MAX - 1]);
            Buffer framed = Packets.frame(0, payload);
            assertThat(framed.length()).isEqualTo(MAX - 1 + 4);
            assertThat(hex(framed.getBytes(0, 4))).isEqualTo("fe ff ff 00");
            assertThat(Packets.packetCount(MAX - 1)).isEqualTo(1);
        }

        @Test
        void endsAPayloadOfExactlyTheMaximumWithAnEmptyPacket() {
            Buffer payload = pattern(MAX);
            Buffer framed = Packets.frame(0, payload);
            byte[] headers = golden("frame-split-exact-multiple-headers");
            assertThat(framed.length()).isEqualTo(MAX + 8);
            assertThat(hex(framed.getBytes(0, 4))).isEqualTo(hex(Arrays.copyOfRange(headers, 0, 4)));
            assertThat(framed.getBuffer(4, 4 + MAX)).isEqualTo(payload);
            assertThat(hex(framed.getBytes(4 + MAX, 8 + MAX))).isEqualTo(hex(Arrays.copyOfRange(headers, 4, 8)));
            assertThat(Packets.packetCount(MAX)).isEqualTo(2);
        }

        @Test
        void splitsALargerPayloadAndWrapsTheSequenceId() {
            Buffer payload = pattern(MAX + 5);
            Buffer framed = Packets.frame(255, payload);
            byte[] headers = golden("frame-split-sequence-wrap-headers");
            assertThat(framed.length()).isEqualTo(MAX + 5 + 8);
            assertThat(hex(framed.getBytes(0, 4))).isEqualTo(hex(Arrays.copyOfRange(headers, 0, 4)));
            assertThat(framed.getBuffer(4, 4 + MAX)).isEqualTo(payload.getBuffer(0, MAX));
            assertThat(hex(framed.getBytes(4 + MAX, 8 + MAX))).isEqualTo(hex(Arrays.copyOfRange(headers, 4, 8)));
            assertThat(framed.getBuffer(8 + MAX, framed.length())).isEqualTo(payload.getBuffer(MAX, MAX + 5));
            assertThat(Packets.packetCount(MAX + 5)).isEqualTo(2);
        }

        @Test
        void decoderJoinsWhatFrameSplitBackIntoTheSamePayload() {
            Buffer payload = pattern(MAX + 5);
            Buffer joined = Buffer.buffer(MAX + 5);
            int[] packets = {0};
            new PacketDecoder().feed(Packets.frame(0, payload), (seq, buf, off, len) -> {
                assertThat(seq).isEqualTo(packets[0]);
                packets[0]++;
                joined.appendBuffer(buf, off, len);
            });
            assertThat(packets[0]).isEqualTo(2);
            assertThat(joined).isEqualTo(payload);
        }

        private Buffer pattern(int length) {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) {
                b[i] = (byte) (i * 31 + (i >>> 16));
            }
            return Buffer.buffer(b);
        }
    }

    @Nested
    class LengthEncodedIntegers {
        private static final long[] BOUNDARIES = {0, 250, 251, 65535, 65536, (1 << 24) - 1, 1 << 24};

        @Test
        void writesEachBoundaryWithTheDocumentedPrefix() {
            PayloadWriter w = new PayloadWriter();
            for (long v : BOUNDARIES) {
                w.lenenc(v);
            }
            assertEncodesAs(w.payload(), "lenenc-boundaries");
        }

        @Test
        void readsEachBoundaryBack() {
            PayloadReader r = new PayloadReader(goldenBuffer("lenenc-boundaries"));
            for (long v : BOUNDARIES) {
                assertThat(r.lenenc()).isEqualTo(v);
            }
            assertThat(r.hasRemaining()).isFalse();
        }

        @Test
        void refusesNullAndErrorMarkersAsLengths() {
            assertThatThrownBy(() -> new PayloadReader(Buffer.buffer(new byte[]{(byte) 0xfb})).lenenc())
                    .isInstanceOf(MalformedPacketException.class);
            assertThatThrownBy(() -> new PayloadReader(Buffer.buffer(new byte[]{(byte) 0xff})).lenenc())
                    .isInstanceOf(MalformedPacketException.class);
        }

        @Test
        void refusesATruncatedLengthEncodedInteger() {
            assertThatThrownBy(() -> new PayloadReader(Buffer.buffer(new byte[]{(byte) 0xfd, 1, 2})).lenenc())
                    .isInstanceOf(MalformedPacketException.class);
        }

        @Test
        void refusesAStringLongerThanThePacketOrWithoutItsNul() {
            assertThatThrownBy(() -> new PayloadReader(Buffer.buffer(new byte[]{5, 'a', 'b'})).lenencString())
                    .isInstanceOf(MalformedPacketException.class);
            assertThatThrownBy(() -> new PayloadReader(Buffer.buffer(new byte[]{'a', 'b'})).nulString())
                    .isInstanceOf(MalformedPacketException.class);
            assertThat(new PayloadReader(Buffer.buffer(new byte[]{'a', 'b'})).nulOrEofString()).isEqualTo("ab");
        }
    }
}
