package dev.veil.protocol.pg;

import io.vertx.core.buffer.Buffer;

/** ParameterStatus 'S': a run-time parameter the client is told about (server_version, TimeZone…). */
public record ParameterStatus(String name, String value) implements BackendMessage {
    public static final char TYPE = 'S';

    public Buffer encode() {
        Buffer b = BackendMessage.begin(TYPE, name.length() + value.length() + 2);
        CStrings.append(b, name);
        CStrings.append(b, value);
        return BackendMessage.finish(b);
    }

    public static ParameterStatus decode(PgFrame frame) {
        Buffer body = frame.body();
        int nameEnd = CStrings.indexOfNul(body, 0);
        int valueEnd = CStrings.indexOfNul(body, nameEnd + 1);
        return new ParameterStatus(CStrings.read(body, 0, nameEnd), CStrings.read(body, nameEnd + 1, valueEnd));
    }
}
