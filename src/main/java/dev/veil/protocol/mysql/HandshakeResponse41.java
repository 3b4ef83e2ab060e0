package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's answer to the handshake (dev.mysql.com "Protocol::HandshakeResponse41"). A 32-byte payload
 * with the SSL flag is an {@link SSLRequest} instead; callers check that first. A MariaDB client that clears
 * CLIENT_MYSQL sends its extended capabilities in the last 4 of the 23 reserved bytes (mariadb.com
 * "Connection"); {@code mariaDbCapabilities} is 0 otherwise.
 */
public record HandshakeResponse41(
        int capabilities,
        long maxPacketSize,
        int characterSet,
        String user,
        byte[] authResponse,
        String database,
        String authPluginName,
        Map<String, String> attributes,
        int mariaDbCapabilities) {

    /** A response without MariaDB extended capabilities. */
    public HandshakeResponse41(int capabilities, long maxPacketSize, int characterSet, String user, byte[] authResponse,
                               String database, String authPluginName, Map<String, String> attributes) {
        this(capabilities, maxPacketSize, characterSet, user, authResponse, database, authPluginName, attributes, 0);
    }

    public Buffer encode() {
        PayloadWriter w = new PayloadWriter(128)
                .int4(capabilities & 0xFFFFFFFFL)
                .int4(maxPacketSize)
                .int1(characterSet)
                .zeros(19)
                .int4(Capabilities.has(capabilities, Capabilities.LONG_PASSWORD) ? 0 : mariaDbCapabilities & 0xFFFFFFFFL)
                .nulString(user);
        byte[] auth = authResponse == null ? new byte[0] : authResponse;
        if (Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            w.lenencBytes(auth);
        } else if (Capabilities.has(capabilities, Capabilities.SECURE_CONNECTION)) {
            w.int1(auth.length).bytes(auth);
        } else {
            w.bytes(auth).int1(0);
        }
        if (Capabilities.has(capabilities, Capabilities.CONNECT_WITH_DB)) {
            w.nulString(database == null ? "" : database);
        }
        if (Capabilities.has(capabilities, Capabilities.PLUGIN_AUTH)) {
            w.nulString(authPluginName);
        }
        if (Capabilities.has(capabilities, Capabilities.CONNECT_ATTRS)) {
            PayloadWriter attrs = new PayloadWriter();
            attributes.forEach((k, v) -> attrs.lenencString(k).lenencString(v));
            w.lenencBytes(attrs.payload().getBytes());
        }
        return w.payload();
    }

    public static HandshakeResponse41 decode(Buffer payload) {
        PayloadReader r = new PayloadReader(payload);
        int caps = (int) r.int4();
        if (!Capabilities.has(caps, Capabilities.PROTOCOL_41)) {
            throw new MalformedPacketException("the client does not speak protocol 4.1");
        }
        long maxPacket = r.int4();
        int charset = r.int1();
        r.skip(19);
        int reserved = (int) r.int4();
        int mariaDb = Capabilities.has(caps, Capabilities.LONG_PASSWORD) ? 0 : reserved;
        String user = r.nulString();
        byte[] auth;
        if (Capabilities.has(caps, Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            auth = r.lenencBytes();
        } else if (Capabilities.has(caps, Capabilities.SECURE_CONNECTION)) {
            auth = r.bytes(r.int1());
        } else {
            auth = r.nulBytes();
        }
        String database = null;
        if (Capabilities.has(caps, Capabilities.CONNECT_WITH_DB) && r.hasRemaining()) {
            database = r.nulOrEofString();
            if (database.isEmpty()) {
                database = null;
            }
        }
        String plugin = null;
        if (Capabilities.has(caps, Capabilities.PLUGIN_AUTH) && r.hasRemaining()) {
            plugin = r.nulOrEofString();
        }
        Map<String, String> attrs = Collections.emptyMap();
        if (Capabilities.has(caps, Capabilities.CONNECT_ATTRS) && r.hasRemaining()) {
            byte[] raw = r.lenencBytes();
            PayloadReader a = new PayloadReader(Buffer.buffer(raw));
            attrs = new LinkedHashMap<>();
            while (a.hasRemaining()) {
                attrs.put(a.lenencString(), a.lenencString());
            }
        }
        return new HandshakeResponse41(caps, maxPacket, charset, user, auth, database, plugin, attrs, mariaDb);
    }

    @Override
    public String toString() {
        // Never print the auth response: with mysql_clear_password it is the password or token itself.
        return "HandshakeResponse41[user=" + user + ", database=" + database + ", plugin=" + authPluginName
                + ", capabilities=0x" + Integer.toHexString(capabilities) + ", mariaDbCapabilities=0x"
                + Integer.toHexString(mariaDbCapabilities) + ", charset=" + characterSet + "]";
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
