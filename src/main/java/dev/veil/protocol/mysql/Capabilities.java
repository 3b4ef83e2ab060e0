package dev.veil.protocol.mysql;

/**
 * Capability flags of the MySQL client/server protocol (dev.mysql.com "Capabilities Flags"; MariaDB
 * "Connection" page). The lower 32 bits are common to both servers; MariaDB's extended flags live in the
 * handshake's reserved bytes and are never offered by Veil.
 */
public final class Capabilities {
    public static final int LONG_PASSWORD = 1;
    public static final int FOUND_ROWS = 1 << 1;
    public static final int LONG_FLAG = 1 << 2;
    public static final int CONNECT_WITH_DB = 1 << 3;
    public static final int NO_SCHEMA = 1 << 4;
    public static final int COMPRESS = 1 << 5;
    public static final int ODBC = 1 << 6;
    public static final int LOCAL_FILES = 1 << 7;
    public static final int IGNORE_SPACE = 1 << 8;
    public static final int PROTOCOL_41 = 1 << 9;
    public static final int INTERACTIVE = 1 << 10;
    public static final int SSL = 1 << 11;
    public static final int IGNORE_SIGPIPE = 1 << 12;
    public static final int TRANSACTIONS = 1 << 13;
    public static final int RESERVED = 1 << 14;
    public static final int SECURE_CONNECTION = 1 << 15;
    public static final int MULTI_STATEMENTS = 1 << 16;
    public static final int MULTI_RESULTS = 1 << 17;
    public static final int PS_MULTI_RESULTS = 1 << 18;
    public static final int PLUGIN_AUTH = 1 << 19;
    public static final int CONNECT_ATTRS = 1 << 20;
    public static final int PLUGIN_AUTH_LENENC_CLIENT_DATA = 1 << 21;
    public static final int CAN_HANDLE_EXPIRED_PASSWORDS = 1 << 22;
    public static final int SESSION_TRACK = 1 << 23;
    public static final int DEPRECATE_EOF = 1 << 24;
    public static final int OPTIONAL_RESULTSET_METADATA = 1 << 25;
    public static final int ZSTD_COMPRESSION = 1 << 26;
    public static final int QUERY_ATTRIBUTES = 1 << 27;

    /**
     * What Veil can relay faithfully. Left out on purpose: COMPRESS and ZSTD (compression is not offered),
     * LOCAL_FILES (LOAD DATA LOCAL is an exfiltration path), OPTIONAL_RESULTSET_METADATA and
     * QUERY_ATTRIBUTES (they change packet layouts Veil must read), NO_SCHEMA / ODBC (obsolete).
     * SSL is added per listener when TLS is on.
     */
    public static final int SUPPORTED = LONG_PASSWORD | FOUND_ROWS | LONG_FLAG | CONNECT_WITH_DB | IGNORE_SPACE
            | PROTOCOL_41 | INTERACTIVE | IGNORE_SIGPIPE | TRANSACTIONS | RESERVED | SECURE_CONNECTION
            | MULTI_STATEMENTS | MULTI_RESULTS | PS_MULTI_RESULTS | PLUGIN_AUTH | CONNECT_ATTRS
            | PLUGIN_AUTH_LENENC_CLIENT_DATA | CAN_HANDLE_EXPIRED_PASSWORDS | SESSION_TRACK | DEPRECATE_EOF;

    /**
     * Flags that change what the server sends back (packet layouts, affected-row counts, parsing). A pooled
     * server connection serves only clients that negotiated the same set, because its answers are relayed
     * byte for byte.
     */
    public static final int RESPONSE_SHAPING = FOUND_ROWS | IGNORE_SPACE | INTERACTIVE | MULTI_STATEMENTS
            | MULTI_RESULTS | PS_MULTI_RESULTS | SESSION_TRACK | DEPRECATE_EOF;

    /** Required of every client: Veil speaks only the 4.1 protocol with plugin authentication. */
    public static final int REQUIRED = PROTOCOL_41 | SECURE_CONNECTION;

    public static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }

    private Capabilities() {
    }
}
