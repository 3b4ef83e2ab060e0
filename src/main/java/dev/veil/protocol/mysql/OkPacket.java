package dev.veil.protocol.mysql;

import io.vertx.core.buffer.Buffer;

/**
 * Success (dev.mysql.com "OK_Packet"). Header 0x00, or 0xFE when it ends a result set under
 * CLIENT_DEPRECATE_EOF. Veil sends only simple ones (after authentication, COM_PING answered locally…);
 * the server's own are relayed untouched, so session-tracking data is never lost.
 */
public record OkPacket(long affectedRows, long lastInsertId, int statusFlags, int warnings, String info) {
    public static final int HEADER = 0x00;

    /** Under CLIENT_SESSION_TRACK the info string is length-encoded (and present even when empty). */
    public Buffer encode(boolean sessionTrack) {
        PayloadWriter w = new PayloadWriter(16).int1(HEADER).lenenc(affectedRows).lenenc(lastInsertId)
                .int2(statusFlags).int2(warnings);
        String text = info == null ? "" : info;
        if (sessionTrack) {
            w.lenencString(text);
        } else if (!text.isEmpty()) {
            w.string(text);
        }
        return w.payload();
    }

    /** Reads the leading fields that every variant shares; the info and session-state parts are skipped. */
    public static OkPacket decode(Buffer payload, int offset, int length) {
        PayloadReader r = new PayloadReader(payload, offset, length);
        r.int1();
        long affected = r.lenenc();
        long insertId = r.lenenc();
        int status = r.remaining() >= 2 ? r.int2() : 0;
        int warnings = r.remaining() >= 2 ? r.int2() : 0;
        return new OkPacket(affected, insertId, status, warnings, "");
    }
}
