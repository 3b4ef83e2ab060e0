package dev.veil.protocol.mysql;

/**
 * Capability flags of the MySQL client/server protocol (dev.mysql.com "Capabilities Flags"; MariaDB
 * "Connection" page). The lower 32 bits are common to both servers. MariaDB's extended flags are a second
 * 32-bit set in the last 4 reserved bytes of the greeting and of the client's answer, meaningful only while
 * CLIENT_MYSQL (bit 0, {@link #LONG_PASSWORD}) is clear: a MariaDB server clears it to say it has them, a client
 * clears it to send its own.
 */
public final class Capabilities {
    /** Also CLIENT_MYSQL: set by MySQL servers and clients, clear where MariaDB's extended flags are used. */
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
     * What Veil can relay faithfully, and asks of its server connections. COMPRESS (zlib) is not in it: Veil
     * offers it to clients and compresses its own link to them (MySqlEngine), while server connections stay
     * uncompressed. Left out on purpose: ZSTD (no small pure-Java zstd on offer), LOCAL_FILES (LOAD DATA LOCAL is an exfiltration path), OPTIONAL_RESULTSET_METADATA and
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

    /**
     * MariaDB MARIADB_CLIENT_EXTENDED_METADATA (bit 35 of MariaDB's 64-bit set, bit 3 of its extended word):
     * column definitions carry the data type or format the column type alone cannot say (json, uuid, inet6,
     * geometry types), which MariaDB Connector/J uses to type values. It changes the column definition layout.
     */
    public static final int MARIADB_EXTENDED_METADATA = 1 << 3;

    /**
     * MariaDB extended flags Veil relays faithfully. Left out: PROGRESS (progress packets), COM_MULTI,
     * STMT_BULK_OPERATIONS (COM_STMT_BULK_EXECUTE is refused), CACHE_METADATA (skipped column definitions),
     * BULK_UNIT_RESULTS.
     */
    public static final int MARIADB_SUPPORTED = MARIADB_EXTENDED_METADATA;

    /** The MariaDB extended flags that change what the server sends back: part of a pooled connection's profile. */
    public static final int MARIADB_RESPONSE_SHAPING = MARIADB_EXTENDED_METADATA;

    /** Required of every client: Veil speaks only the 4.1 protocol with plugin authentication. */
    public static final int REQUIRED = PROTOCOL_41 | SECURE_CONNECTION;

    public static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }

    private Capabilities() {
    }
}
