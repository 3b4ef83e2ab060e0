package dev.veil.protocol.mysql;

/** A packet that does not follow the protocol; the connection that sent it is ended. */
public final class MalformedPacketException extends RuntimeException {
    public MalformedPacketException(String message) {
        super(message);
    }
}
