package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.util.Arrays;

/**
 * Initial handshake from the server (dev.mysql.com "Protocol::HandshakeV10"). The 20-byte nonce is split in
 * two parts on the wire; the second part is padded to 13 bytes with a trailing NUL. MariaDB keeps its
 * extended capabilities in the last 4 of the 10 reserved bytes, read and written only while CLIENT_MYSQL is
 * clear; Veil passes on the ones it relays faithfully ({@link Capabilities#MARIADB_SUPPORTED}).
 */
public record HandshakeV10(
        String serverVersion,
        long connectionId,
        byte[] authPluginData,
        int capabilities,
        int characterSet,
        int statusFlags,
        String authPluginName,
        int mariaDbCapabilities) {

    public static final int PROTOCOL_VERSION = 10;

    public Buffer encode() {
        byte[] nonce = authPluginData;
        PayloadWriter w = new PayloadWriter(128)
                .int1(PROTOCOL_VERSION)
                .nulString(serverVersion)
                .int4(connectionId)
                .bytes(Arrays.copyOfRange(nonce, 0, 8))
                .int1(0)
                .int2(capabilities & 0xFFFF)
                .int1(characterSet)
                .int2(statusFlags)
                .int2(capabilities >>> 16)
                .int1(Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH) ? nonce.length + 1 : 0)
                .zeros(6)
                .int4(mariaDbCapabilities & 0xFFFFFFFFL);
        if (Capabilities.has(capabilities, Capabilities.SECURE_CONNECTION)) {
            byte[] part2 = Arrays.copyOfRange(nonce, 8, Math.max(nonce.length, 8 + 12));
            w.bytes(part2).int1(0);
        }
        if (Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH)) {
            w.nulString(authPluginName);
        }
        return w.payload();
    }

    public static HandshakeV10 decode(Buffer payload) {
        PayloadReader r = new PayloadReader(payload);
        int protocol = r.int1();
        if (protocol == 0xFF) {
            throw new MalformedPacketException("server refused the connection: " + ErrPacket.decode(payload, true).message());
        }
        if (protocol != PROTOCOL_VERSION) {
            throw new MalformedPacketException("unsupported handshake protocol version " + protocol);
        }
        String version = r.nulString();
        long connectionId = r.int4();
        byte[] part1 = r.bytes(8);
        r.int1();
        int caps = r.int2();
        int charset = 0;
        int status = 0;
        int nonceLength = 0;
        int mariaDb = 0;
        byte[] part2 = new byte[0];
        String plugin = "mysql_native_password";
        if (r.hasRemaining()) {
            charset = r.int1();
            status = r.int2();
            caps |= r.int2() << 16;
            nonceLength = r.int1();
            r.skip(6);
            int reserved = (int) r.int4();
            // mariadb.com "Connection": these bytes are MariaDB capabilities only when CLIENT_MYSQL (bit 0) is
            // not set; a MySQL server's are reserved.
            mariaDb = Capabilities.has(caps, Capabilities.LONG_PASSWORD) ? 0 : reserved;
            if (Capabilities.has(caps, Capabilities.SECURE_CONNECTION)) {
                int n = Math.max(13, nonceLength - 8);
                part2 = r.bytes(Math.min(n, r.remaining()));
                // The last byte is the NUL terminator of the nonce, not part of it.
                if (part2.length > 0 && part2[part2.length - 1] == 0) {
                    part2 = Arrays.copyOf(part2, part2.length - 1);
                }
            }
            if (Capabilities.has(caps, Capabilities.PLUGIN_AUTH) && r.hasRemaining()) {
                plugin = r.nulOrEofString();
            }
        }
        byte[] nonce = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, nonce, 0, part1.length);
        System.arraycopy(part2, 0, nonce, part1.length, part2.length);
        return new HandshakeV10(version, connectionId, nonce, caps, charset, status, plugin, mariaDb);
    }
}
