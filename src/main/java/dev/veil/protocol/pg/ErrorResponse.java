package dev.veil.protocol.pg;

import dev.veil.error.VeilException;
import io.vertx.core.buffer.Buffer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ErrorResponse 'E' (and NoticeResponse 'N', same layout): fields tagged by one byte, each a C string.
 * S is the localized severity, V the non-localized one (since 9.6), C the SQLSTATE, M the message.
 * See https://www.postgresql.org/docs/current/protocol-error-fields.html
 */
public record ErrorResponse(Map<Character, String> fields) implements BackendMessage {
    public static final char TYPE = 'E';

    public static ErrorResponse of(VeilException e) {
        Map<Character, String> f = new LinkedHashMap<>();
        String severity = e.fatal() ? "FATAL" : "ERROR";
        f.put('S', severity);
        f.put('V', severity);
        f.put('C', e.code().sqlState());
        f.put('M', e.getMessage());
        return new ErrorResponse(f);
    }

    public String sqlState() {
        return fields.get('C');
    }

    public String message() {
        return fields.get('M');
    }

    public String severity() {
        return fields.getOrDefault('V', fields.get('S'));
    }

    public Buffer encode() {
        Buffer b = BackendMessage.begin(TYPE, 64);
        fields.forEach((k, v) -> CStrings.append(b.appendByte((byte) k.charValue()), v));
        return BackendMessage.finish(b.appendByte((byte) 0));
    }

    public static ErrorResponse decode(PgFrame frame) {
        Buffer body = frame.body();
        Map<Character, String> f = new LinkedHashMap<>();
        int pos = 0;
        while (pos < body.length() && body.getByte(pos) != 0) {
            char tag = (char) body.getByte(pos);
            int nul = CStrings.indexOfNul(body, pos + 1);
            f.put(tag, CStrings.read(body, pos + 1, nul));
            pos = nul + 1;
        }
        return new ErrorResponse(f);
    }
}
