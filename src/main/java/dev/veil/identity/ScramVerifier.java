package dev.veil.identity;

import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.StringPreparation;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

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

    /**
     * Reads a verifier in PostgreSQL's pg_authid format, SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey
     * (all base64), so that verifiers can be moved between PostgreSQL and Veil's configuration.
     */
    public static ScramVerifier parse(String text) {
        String s = text.strip();
        String prefix = "SCRAM-SHA-256$";
        int dollar = s.indexOf('$', prefix.length());
        if (!s.startsWith(prefix) || dollar < 0) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier (expected SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey)");
        }
        String[] iterSalt = s.substring(prefix.length(), dollar).split(":", -1);
        String[] keys = s.substring(dollar + 1).split(":", -1);
        if (iterSalt.length != 2 || keys.length != 2) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier (expected SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey)");
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            int iterations = Integer.parseInt(iterSalt[0]);
            byte[] storedKey = b64.decode(keys[0]);
            byte[] serverKey = b64.decode(keys[1]);
            if (iterations < 1 || storedKey.length != 32 || serverKey.length != 32) {
                throw new IllegalArgumentException("SCRAM-SHA-256 verifier has a bad iteration count or key length");
            }
            return new ScramVerifier(b64.decode(iterSalt[1]), iterations, storedKey, serverKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier: " + e.getMessage(), e);
        }
    }

    /** The pg_authid text form, which {@link #parse} reads back. */
    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey)
                + ":" + b64.encodeToString(serverKey);
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
