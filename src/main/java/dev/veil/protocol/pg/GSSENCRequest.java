package dev.veil.protocol.pg;

/** GSSENCRequest: int32 8, int32 80877104. Veil declines it with a single 'N', as the spec allows. */
public record GSSENCRequest() implements StartupPacket {
    public static final int CODE = 80877104;
}
