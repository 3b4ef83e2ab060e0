package dev.veil.upstream;

import dev.veil.protocol.mysql.ErrPacket;
import dev.veil.protocol.pg.ErrorResponse;

/**
 * A failure talking to an upstream. When the server itself answered with an ErrorResponse (bad database,
 * too many connections on the server…), it is kept so the client sees the server's own error, untouched.
 */
public final class UpstreamException extends RuntimeException {
    private final ErrorResponse serverError;
    private final ErrPacket mysqlServerError;

    public UpstreamException(String message, ErrorResponse serverError, Throwable cause) {
        super(message, cause);
        this.serverError = serverError;
        this.mysqlServerError = null;
    }

    public UpstreamException(String message, ErrPacket mysqlServerError) {
        super(message);
        this.serverError = null;
        this.mysqlServerError = mysqlServerError;
    }

    public UpstreamException(String message) {
        this(message, null, null);
    }

    public ErrorResponse serverError() {
        return serverError;
    }

    /** The MySQL server's own ERR packet, when it refused the connection itself. */
    public ErrPacket mysqlServerError() {
        return mysqlServerError;
    }
}
