package dev.veil.protocol.mysql;

/**
 * A packet continuing a full-size (0xFFFFFF) one whose sequence id is not the next one: the peer lost count
 * of its own packets, and nothing after it can be trusted to be where it seems.
 */
public final class PacketOutOfOrderException extends RuntimeException {
    private final int sequenceId;
    private final int expected;

    public PacketOutOfOrderException(int sequenceId, int expected) {
        super("Got packets out of order: the packet continuing a 16 MB packet has sequence id " + sequenceId
                + ", expected " + expected);
        this.sequenceId = sequenceId;
        this.expected = expected;
    }

    /** The sequence id the packet carried: an ERR answering it carries the next one. */
    public int sequenceId() {
        return sequenceId;
    }

    public int expected() {
        return expected;
    }
}
