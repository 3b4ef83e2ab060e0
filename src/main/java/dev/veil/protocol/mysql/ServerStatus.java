package dev.veil.protocol.mysql;

/** Server status flags carried by OK and EOF packets (dev.mysql.com "SERVER_STATUS_flags_enum"). */
public final class ServerStatus {
    public static final int IN_TRANS = 1;
    public static final int AUTOCOMMIT = 1 << 1;
    public static final int MORE_RESULTS_EXISTS = 1 << 3;
    public static final int CURSOR_EXISTS = 1 << 6;
    public static final int LAST_ROW_SENT = 1 << 7;
    public static final int SESSION_STATE_CHANGED = 1 << 14;

    private ServerStatus() {
    }
}
