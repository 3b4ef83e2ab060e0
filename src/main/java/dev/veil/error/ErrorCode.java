package dev.veil.error;

/**
 * Every error Veil itself sends to a client, with the code each dialect's drivers understand.
 * Upstream errors are never mapped through this: they are relayed untouched.
 */
public enum ErrorCode {
    /** Wrong password / token: PostgreSQL reports invalid_password for password failures. */
    AUTH_FAILED("28P01", 1045, "28000"),
    /** Authentication not possible as requested (e.g. cleartext over plain TCP). */
    INVALID_AUTHORIZATION("28000", 1045, "28000"),
    POLICY_DENIED("42501", 1142, "42000"),
    UNSUPPORTED("0A000", 1235, "42000"),
    QUERY_CANCELED("57014", 1317, "70100"),
    TOO_MANY_CONNECTIONS("53300", 1040, "08004"),
    /** An identity already holds its maximum of sessions (MySQL ER_TOO_MANY_USER_CONNECTIONS). */
    TOO_MANY_USER_CONNECTIONS("53300", 1203, "42000"),
    UPSTREAM_LOST("08006", 2013, "HY000"),
    /** Veil could not reach the upstream at connection time. */
    UPSTREAM_UNAVAILABLE("08001", 2003, "HY000"),
    PROTOCOL_VIOLATION("08P01", 1047, "08S01"),
    /** A MySQL packet whose sequence id is not the next one (ER_NET_PACKETS_OUT_OF_ORDER). */
    PACKETS_OUT_OF_ORDER("08P01", 1156, "08S01"),
    /** A compressed MySQL packet that does not inflate to its declared length (ER_NET_UNCOMPRESS_ERROR). */
    UNCOMPRESS_FAILED("08P01", 1157, "08S01"),
    UNKNOWN_DATABASE("3D000", 1049, "42000"),
    /** A startup parameter's value the server would not accept either (MySQL ER_WRONG_VALUE_FOR_VAR). */
    INVALID_PARAMETER_VALUE("22023", 1231, "42000"),
    /** A message or packet above Veil's size limit. */
    PACKET_TOO_LARGE("54000", 1153, "08S01"),
    /** A statement form Veil never lets through (LOAD DATA LOCAL INFILE). */
    NOT_ALLOWED("42501", 1148, "42000"),
    /** An execution of a prepared statement there is none of (MySQL ER_UNKNOWN_STMT_HANDLER; invalid_sql_statement_name). */
    UNKNOWN_STATEMENT("26000", 1243, "HY000"),
    /** KILL of a connection id that is not a live session the caller may see. */
    UNKNOWN_THREAD("42704", 1094, "HY000"),
    /** The audit log cannot record the statement, and Veil fails closed (insufficient_resources; MySQL ER_OPTION_PREVENTS_STATEMENT). */
    AUDIT_UNAVAILABLE("53000", 1290, "HY000"),
    /**
     * The session outlived veil.identity.session.max-age or its token: admin_shutdown, which drivers and pools
     * treat as a dead connection (MySQL: ER_CLIENT_INTERACTION_TIMEOUT, what the server sends on wait_timeout).
     */
    SESSION_EXPIRED("57P01", 4031, "HY000"),
    /**
     * An administrator ended the session from the console: admin_shutdown, as pg_terminate_backend sends it
     * (MySQL: ER_CONNECTION_KILLED, what KILL CONNECTION gives the killed client).
     */
    ADMIN_TERMINATED("57P01", 1927, "70100"),
    INTERNAL("XX000", 1105, "HY000");

    private final String sqlState;
    private final int mysqlErrno;
    private final String mysqlSqlState;

    ErrorCode(String sqlState, int mysqlErrno, String mysqlSqlState) {
        this.sqlState = sqlState;
        this.mysqlErrno = mysqlErrno;
        this.mysqlSqlState = mysqlSqlState;
    }

    public String sqlState() {
        return sqlState;
    }

    public int mysqlErrno() {
        return mysqlErrno;
    }

    public String mysqlSqlState() {
        return mysqlSqlState;
    }
}
