package dev.veil.identity;

import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.StringPreparation;

import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * A SCRAM-SHA-256 verifier (RFC 5802 / 7677): what a server keeps instead of the password. The password
 * itself is dropped once the verifier is derived.
 */
public record ScramVerifier(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    public static final ScramMechanism MECHANISM = ScramMechanism.SCRAM_SHA_256;

    public static ScramVerifier derive(String password, int iterations, SecureRandom random) {
        byte[] salt = ScramFunctions.salt(16, random);
        return derive(password, salt, iterations);
    }

    public static ScramVerifier derive(String password, byte[] salt, int iterations) {
        // PostgreSQL applies SASLprep and falls back to the raw bytes when the password is not valid for it.
        byte[] salted = ScramFunctions.saltedPassword(MECHANISM, StringPreparation.POSTGRESQL_PREPARATION,
                password.toCharArray(), salt, iterations);
        byte[] clientKey = ScramFunctions.clientKey(MECHANISM, salted);
        return new ScramVerifier(salt, iterations, ScramFunctions.storedKey(MECHANISM, clientKey),
                ScramFunctions.serverKey(MECHANISM, salted));
    }

    /** Checks a password given in clear (cleartext authentication) against the verifier, in constant time. */
    public boolean matches(String password) {
        if (password.isEmpty()) {
            return false; // SASLprep refuses empty strings; an empty password never matches
        }
        ScramVerifier other = derive(password, salt, iterations);
        return MessageDigest.isEqual(other.storedKey, storedKey);
    }
}
