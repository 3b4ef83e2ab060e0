package dev.veil.console;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The identity provider's ID token of a single-sign-on sign-in, kept for its sign-out ({@code id_token_hint}),
 * sealed with AES-256-GCM under a key derived from the sign-in's cookie token. The store holds only the token's
 * SHA-256, so whoever reads the sign-ins table can neither sign in nor read the ID tokens: only a request carrying
 * the cookie can open its own.
 */
final class SealedIdToken {
    private static final byte[] LABEL = "veil console id_token key\0".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE = 12;

    private SealedIdToken() {
    }

    /** What the store keys a sign-in by: SHA-256 of the cookie token. */
    static byte[] hash(String cookieToken) {
        return sha256(new byte[0], cookieToken);
    }

    /** {@code random} is the caller's: a generator in a static field would be fixed in the native image's heap. */
    static byte[] seal(String cookieToken, String idToken, SecureRandom random) {
        if (idToken == null) {
            return null;
        }
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, cookieToken, nonce).doFinal(idToken.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /** The ID token, or null when there is none or it was not sealed under this cookie token. */
    static String open(String cookieToken, byte[] sealed) {
        if (sealed == null || sealed.length <= NONCE) {
            return null;
        }
        try {
            byte[] plain = cipher(Cipher.DECRYPT_MODE, cookieToken, Arrays.copyOf(sealed, NONCE))
                    .doFinal(sealed, NONCE, sealed.length - NONCE);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static Cipher cipher(int mode, String cookieToken, byte[] nonce) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(sha256(LABEL, cookieToken), "AES"), new GCMParameterSpec(128, nonce));
        return c;
    }

    private static byte[] sha256(byte[] label, String value) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(label);
            return d.digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
