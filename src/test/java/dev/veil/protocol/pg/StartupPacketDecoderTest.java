package dev.veil.protocol.pg;

import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static dev.veil.protocol.pg.GoldenBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StartupPacketDecoderTest {

    /** user=alice, database=shop, application_name=veil at protocol 3.0 (golden/pg/startup-message.hex). */
    private static final byte[] STARTUP = GoldenBytes.load("startup-message");

    /** A length PostgreSQL would close the connection for without a reply. */
    private static InvalidStartupLength badLength(Runnable r) {
        return catchThrowableOfType(r::run, InvalidStartupLength.class);
    }

    private static VeilException violation(Runnable r) {
        try {
            r.run();
        } catch (VeilException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(e.fatal()).isTrue();
            return e;
        }
        throw new AssertionError("expected a VeilException");
    }

    /** A startup packet written field by field: Int32 length, Int32 version, then the given body bytes. */
    private static Buffer packet(int version, byte[] body) {
        return Buffer.buffer().appendInt(8 + body.length).appendInt(version).appendBytes(body);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void decodesStartupMessageParametersInOrder() {
        StartupPacket p = new StartupPacketDecoder().feed(Buffer.buffer(STARTUP));

        assertThat(p).isInstanceOfSatisfying(StartupMessage.class, m -> {
            assertThat(m.protocolVersion()).isEqualTo(StartupMessage.PROTOCOL_3_0);
            assertThat(m.majorVersion()).isEqualTo(3);
            assertThat(m.minorVersion()).isZero();
            assertThat(m.parameters()).containsExactly(
                    Map.entry("user", "alice"), Map.entry("database", "shop"),
                    Map.entry("application_name", "veil"));
            assertThat(m.user()).isEqualTo("alice");
            assertThat(m.database()).isEqualTo("shop");
        });
    }

    @Test
    void defaultsTheDatabaseToTheUser() {
        StartupMessage noDatabase = (StartupMessage) new StartupPacketDecoder()
                .feed(packet(StartupMessage.PROTOCOL_3_0, ascii("user\0bob\0\0")));
        assertThat(noDatabase.database()).isEqualTo("bob");

        StartupMessage emptyDatabase = (StartupMessage) new StartupPacketDecoder()
                .feed(packet(StartupMessage.PROTOCOL_3_0, ascii("user\0bob\0database\0\0\0")));
        assertThat(emptyDatabase.database()).isEqualTo("bob");
    }

    @Test
    void keepsANewerMinorVersionForNegotiation() {
        StartupMessage m = (StartupMessage) new StartupPacketDecoder().feed(packet(0x00030002, ascii("user\0bob\0\0")));
        assertThat(m.majorVersion()).isEqualTo(3);
        assertThat(m.minorVersion()).isEqualTo(2);
    }

    @Test
    void decodesSslRequest() {
        assertThat(new StartupPacketDecoder().feed(GoldenBytes.buffer("ssl-request"))).isInstanceOf(SSLRequest.class);
    }

    @Test
    void decodesGssEncRequest() {
        assertThat(new StartupPacketDecoder().feed(GoldenBytes.buffer("gssenc-request"))).isInstanceOf(GSSENCRequest.class);
    }

    @Test
    void decodesCancelRequest() {
        assertThat(new StartupPacketDecoder().feed(GoldenBytes.buffer("cancel-request")))
                .isEqualTo(new CancelRequest(12345, 0xdeadbeef));
    }

    @Test
    void refusesSslRequestWithExtraBytesInsideThePacket() {
        Buffer twelve = Buffer.buffer().appendInt(12).appendInt(SSLRequest.CODE).appendInt(0);
        assertThat(badLength(() -> new StartupPacketDecoder().feed(twelve)).getMessage()).contains("SSLRequest");
    }

    @Test
    void refusesCancelRequestOfTheWrongLength() {
        Buffer twelve = Buffer.buffer().appendInt(12).appendInt(CancelRequest.CODE).appendInt(12345);
        assertThat(badLength(() -> new StartupPacketDecoder().feed(twelve)).getMessage()).contains("CancelRequest");
    }

    @Test
    void waitsForTheWholePacketWhenBytesArriveOneAtATime() {
        StartupPacketDecoder decoder = new StartupPacketDecoder();
        for (int i = 0; i < STARTUP.length - 1; i++) {
            assertThat(decoder.feed(Buffer.buffer(new byte[]{STARTUP[i]}))).as("after byte %d", i).isNull();
        }
        StartupPacket p = decoder.feed(Buffer.buffer(new byte[]{STARTUP[STARTUP.length - 1]}));
        assertThat(p).isInstanceOfSatisfying(StartupMessage.class, m -> assertThat(m.user()).isEqualTo("alice"));
        assertThat(decoder.leftover().length()).isZero();
    }

    @Test
    void keepsBytesSentAfterThePacketAsLeftover() {
        // libpq waits for 'S'/'N' but other clients may pipeline; a password may follow a StartupMessage.
        Buffer password = GoldenBytes.buffer("password-message");
        StartupPacketDecoder decoder = new StartupPacketDecoder();

        StartupPacket p = decoder.feed(Buffer.buffer(STARTUP).appendBuffer(password));

        assertThat(p).isInstanceOf(StartupMessage.class);
        assertThat(hex(decoder.leftover())).isEqualTo(hex(password));
    }

    @Test
    void decodesTheStartupMessageThatFollowsAnSslRequest() {
        StartupPacketDecoder decoder = new StartupPacketDecoder();
        Buffer ssl = GoldenBytes.buffer("ssl-request");

        // SSLRequest plus the first 10 bytes of the StartupMessage in one chunk…
        StartupPacket first = decoder.feed(ssl.appendBytes(STARTUP, 0, 10));
        assertThat(first).isInstanceOf(SSLRequest.class);
        Buffer leftover = decoder.leftover();
        assertThat(hex(leftover)).isEqualTo(hex(Buffer.buffer(STARTUP).getBytes(0, 10)));
        assertThat(decoder.leftover().length()).as("leftover is handed over, not kept").isZero();

        // …then the caller feeds the leftover back followed by the rest.
        StartupPacket second = decoder.feed(leftover.appendBuffer(Buffer.buffer(STARTUP).getBuffer(10, STARTUP.length)));
        assertThat(second).isInstanceOfSatisfying(StartupMessage.class, m -> assertThat(m.database()).isEqualTo("shop"));
        assertThat(decoder.leftover().length()).isZero();
    }

    @Test
    void acceptsAStartupPacketOfExactlyTenThousandBytes() {
        byte[] body = new byte[StartupPacketDecoder.MAX_STARTUP_PACKET - 8];
        byte[] head = ascii("user\0bob\0options\0");
        System.arraycopy(head, 0, body, 0, head.length);
        Arrays.fill(body, head.length, body.length - 2, (byte) 'x');
        // body ends with the value's NUL and the list terminator (both already 0).
        StartupPacket p = new StartupPacketDecoder().feed(packet(StartupMessage.PROTOCOL_3_0, body));
        assertThat(p).isInstanceOfSatisfying(StartupMessage.class,
                m -> assertThat(m.parameters().get("options")).hasSize(body.length - 2 - head.length));
    }

    @Test
    void refusesAStartupPacketOverTenThousandBytesBeforeItArrives() {
        // Only the 8-byte header is sent: the declared length alone must be refused, nothing buffered.
        Buffer header = Buffer.buffer().appendInt(10_001).appendInt(StartupMessage.PROTOCOL_3_0);
        assertThat(badLength(() -> new StartupPacketDecoder().feed(header)).getMessage()).contains("10001");
    }

    @Test
    void refusesAnOversizedStartupLengthFromItsFirstFourBytes() {
        // The length word is enough to judge: nothing after it is waited for.
        Buffer length = Buffer.buffer().appendInt(64 * 1024 * 1024);
        assertThat(badLength(() -> new StartupPacketDecoder().feed(length)).getMessage())
                .contains("invalid length of startup packet: 67108864");
    }

    @Test
    void refusesAStartupPacketShorterThanItsHeader() {
        Buffer header = Buffer.buffer().appendInt(7).appendInt(StartupMessage.PROTOCOL_3_0);
        badLength(() -> new StartupPacketDecoder().feed(header));
        Buffer negative = Buffer.buffer().appendInt(-8).appendInt(StartupMessage.PROTOCOL_3_0);
        badLength(() -> new StartupPacketDecoder().feed(negative));
    }

    @Test
    void refusesProtocolTwoNamingTheVersion() {
        Buffer v2 = packet(0x00020000, ascii("user\0bob\0\0"));
        assertThat(violation(() -> new StartupPacketDecoder().feed(v2)).getMessage()).contains("2.0");
    }

    @Test
    void refusesAnUnknownRequestCodeNamingItAsAVersion() {
        // 1234.5681 is not one of the three special codes.
        Buffer unknown = Buffer.buffer().appendInt(8).appendInt((1234 << 16) | 5681);
        assertThat(violation(() -> new StartupPacketDecoder().feed(unknown)).getMessage()).contains("1234.5681");
    }

    @Test
    void refusesAStartupMessageWithoutTheFinalTerminator() {
        Buffer unterminated = packet(StartupMessage.PROTOCOL_3_0, ascii("user\0bob\0"));
        violation(() -> new StartupPacketDecoder().feed(unterminated));
    }

    @Test
    void refusesAStartupMessageWhoseLastValueIsCutOff() {
        Buffer cut = packet(StartupMessage.PROTOCOL_3_0, ascii("user\0bo"));
        violation(() -> new StartupPacketDecoder().feed(cut));
    }

    @Test
    void refusesAStartupMessageWithANameButNoValue() {
        Buffer noValue = packet(StartupMessage.PROTOCOL_3_0, ascii("user\0"));
        violation(() -> new StartupPacketDecoder().feed(noValue));
    }
}
