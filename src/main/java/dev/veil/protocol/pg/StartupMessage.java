package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** StartupMessage: int32 length, int32 protocol version (3.0 = 196608), then name/value C strings, then a 0. */
public record StartupMessage(int protocolVersion, Map<String, String> parameters) implements StartupPacket {
    public static final int PROTOCOL_3_0 = 196608;

    public int majorVersion() {
        return protocolVersion >>> 16;
    }

    public int minorVersion() {
        return protocolVersion & 0xffff;
    }

    public String user() {
        return parameters.get("user");
    }

    /** As the server does: the database defaults to the user name. */
    public String database() {
        String db = parameters.get("database");
        return db == null || db.isEmpty() ? user() : db;
    }

    public Buffer encode() {
        Buffer body = Buffer.buffer(128).appendInt(0).appendInt(protocolVersion);
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            body.appendBytes(e.getKey().getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
            body.appendBytes(e.getValue().getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
        }
        body.appendByte((byte) 0);
        body.setInt(0, body.length());
        return body;
    }

    static StartupMessage decode(int protocolVersion, Buffer packet, int offset) {
        Map<String, String> params = new LinkedHashMap<>();
        int pos = offset;
        while (pos < packet.length()) {
            int nameEnd = CStrings.indexOfNul(packet, pos);
            if (nameEnd == pos) {
                return new StartupMessage(protocolVersion, params);
            }
            int valueEnd = CStrings.indexOfNul(packet, nameEnd + 1);
            params.put(packet.getString(pos, nameEnd, "UTF-8"), packet.getString(nameEnd + 1, valueEnd, "UTF-8"));
            pos = valueEnd + 1;
        }
        throw CStrings.malformed("startup packet is not terminated");
    }
}
