package dev.veil.protocol.pg;

/**
 * A startup packet (or SSLRequest, GSSENCRequest, CancelRequest) whose length word is impossible. PostgreSQL
 * logs this and closes the connection without a reply ("invalid length of startup packet"): the client has
 * not spoken the protocol yet, so there is nothing it could read an ErrorResponse with. A client that sends
 * Terminate before its StartupMessage lands here.
 */
public final class InvalidStartupLength extends RuntimeException {
    public InvalidStartupLength(String message) {
        super(message);
    }
}
