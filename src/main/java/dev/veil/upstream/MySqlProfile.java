package dev.veil.upstream;

import dev.veil.protocol.mysql.Capabilities;

/**
 * What a client negotiated that shapes the server's answers: the response-shaping capability flags and the
 * character set. Server connections are pooled per profile, because their answers are relayed byte for byte.
 */
public record MySqlProfile(int capabilities, int characterSet) {
    public MySqlProfile {
        capabilities &= Capabilities.RESPONSE_SHAPING;
    }

    public boolean has(int flag) {
        return Capabilities.has(capabilities, flag);
    }

    /** Pool key suffix. */
    String key() {
        return Integer.toHexString(capabilities) + "/" + characterSet;
    }
}
