package dev.veil.upstream;

import dev.veil.protocol.mysql.Capabilities;

/**
 * What a client negotiated that shapes the server's answers: the response-shaping capability flags, MariaDB's
 * extended ones (extended metadata changes every column definition) and the character set. Server connections
 * are pooled per profile, because their answers are relayed byte for byte.
 */
public record MySqlProfile(int capabilities, int mariaDbCapabilities, int characterSet) {
    public MySqlProfile {
        capabilities &= Capabilities.RESPONSE_SHAPING;
        mariaDbCapabilities &= Capabilities.MARIADB_RESPONSE_SHAPING;
    }

    /** A profile without MariaDB extended capabilities. */
    public MySqlProfile(int capabilities, int characterSet) {
        this(capabilities, 0, characterSet);
    }

    public boolean has(int flag) {
        return Capabilities.has(capabilities, flag);
    }

    /** Pool key suffix. */
    String key() {
        return Integer.toHexString(capabilities) + (mariaDbCapabilities == 0 ? "" : "+m" + Integer.toHexString(mariaDbCapabilities))
                + "/" + characterSet;
    }
}
