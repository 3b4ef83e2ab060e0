package dev.veil.approval;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What binds an approval to one statement: a SHA-256 over the exact text and the parameter values' digest (a
 * prepared statement's execute; null for none), each part length-prefixed so no two different pairs hash alike.
 * Whitespace and literals count: a different text, even one with the same fingerprint, never rides on an
 * approval.
 */
public final class StatementDigest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private StatementDigest() {
    }

    public static String of(String text, String parameterDigest) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            part(sha, text);
            part(sha, parameterDigest);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void part(MessageDigest sha, String s) {
        byte[] bytes = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
        sha.update((Integer.toString(s == null ? -1 : bytes.length) + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
    }

    /** A request id: 120 random bits, URL-safe base64 (20 characters), unguessable. */
    public static String newId() {
        byte[] b = new byte[15];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
