package dev.veil.cli.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Proof Key for Code Exchange (RFC 7636): a random code verifier (§4.1, 32 random octets as 43 base64url
 * characters) and its S256 challenge, BASE64URL(SHA-256(ASCII(verifier))) without padding (§4.2).
 */
public record Pkce(String verifier, String challenge) {
    public static final String METHOD = "S256";

    public static Pkce generate(SecureRandom random) {
        byte[] octets = new byte[32];
        random.nextBytes(octets);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(octets);
        return new Pkce(verifier, challengeOf(verifier));
    }

    public static String challengeOf(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
