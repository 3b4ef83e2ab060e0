package dev.veil.protocol.mysql;

/** A packet header declaring more payload than the decoder accepts; nothing of its payload was buffered. */
public final class PacketTooLargeException extends RuntimeException {
    private final int sequenceId;
    private final int length;
    private final int limit;

    public PacketTooLargeException(int sequenceId, int length, int limit) {
        super("packet of " + length + " bytes, over the limit of " + limit);
        this.sequenceId = sequenceId;
        this.length = length;
        this.limit = limit;
    }

    /** The refused packet's sequence id: the ERR that answers it carries the next one. */
    public int sequenceId() {
        return sequenceId;
    }

    public int length() {
        return length;
    }

    public int limit() {
        return limit;
    }
}
