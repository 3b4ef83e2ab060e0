package dev.veil.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The two scramble-based MySQL password exchanges. Both prove knowledge of the password against a nonce
 * without sending it; a server keeps only a double hash of the password.
 * <ul>
 * <li>mysql_native_password: {@code SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw)))};</li>
 * <li>caching_sha2_password fast path: {@code SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce)}.</li>
 * </ul>
 * Note the opposite order of nonce and hash in the two formulas; it is what the servers do.
 */
public final class MySqlScramble {
    /** What a server stores for one password: SHA1(SHA1(pw)) and SHA256(SHA256(pw)). */
    public record Verifier(byte[] nativeHash, byte[] sha2Hash) {
        public static Verifier derive(String password) {
            byte[] pw = password.getBytes(StandardCharsets.UTF_8);
            return new Verifier(digest("SHA-1", digest("SHA-1", pw)), digest("SHA-256", digest("SHA-256", pw)));
        }
    }

    public static byte[] nativePassword(String password, byte[] nonce) {
        if (password == null || password.isEmpty()) {
            return new byte[0];
        }
        byte[] stage1 = digest("SHA-1", password.getBytes(StandardCharsets.UTF_8));
        byte[] stage2 = digest("SHA-1", stage1);
        return xor(stage1, digest("SHA-1", nonce20(nonce), stage2));
    }

    public static byte[] cachingSha2(String password, byte[] nonce) {
        if (password == null || password.isEmpty()) {
            return new byte[0];
        }
        byte[] stage1 = digest("SHA-256", password.getBytes(StandardCharsets.UTF_8));
        byte[] stage2 = digest("SHA-256", stage1);
        return xor(stage1, digest("SHA-256", stage2, nonce20(nonce)));
    }

    /** Checks a mysql_native_password response: recovers SHA1(pw) and compares its hash with the stored one. */
    public static boolean verifyNative(Verifier v, byte[] nonce, byte[] response) {
        if (response.length != 20) {
            return false;
        }
        byte[] stage1 = xor(response, digest("SHA-1", nonce20(nonce), v.nativeHash()));
        return MessageDigest.isEqual(digest("SHA-1", stage1), v.nativeHash());
    }

    /** Checks a caching_sha2_password fast-path response the same way, with SHA-256. */
    public static boolean verifyCachingSha2(Verifier v, byte[] nonce, byte[] response) {
        if (response.length != 32) {
            return false;
        }
        byte[] stage1 = xor(response, digest("SHA-256", v.sha2Hash(), nonce20(nonce)));
        return MessageDigest.isEqual(digest("SHA-256", stage1), v.sha2Hash());
    }

    /** Servers send 20 nonce bytes; some append the terminating NUL to the plugin data, which is not hashed. */
    private static byte[] nonce20(byte[] nonce) {
        return nonce.length > 20 ? Arrays.copyOf(nonce, 20) : nonce;
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i % b.length]);
        }
        return out;
    }

    static byte[] digest(String algorithm, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private MySqlScramble() {
    }
}
