package dev.veil.frontend.pg;

import com.ongres.scram.common.ScramFunctions;
import dev.veil.identity.ScramVerifier;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as PostgreSQL runs it: the user name
 * inside the SCRAM messages is ignored (the startup packet's user counts), channel binding is not offered.
 * Unknown users get a decoy verifier so that the exchange looks the same and fails only at the proof.
 * See https://www.postgresql.org/docs/current/sasl-authentication.html
 */
final class PgScramExchange {
    static final String MECHANISM = "SCRAM-SHA-256";

    private final ScramVerifier verifier;
    private final boolean userKnown;
    private final SecureRandom random;
    private String clientFirstBare;
    private String serverFirst;
    private String gs2Header;
    private String nonce;

    PgScramExchange(ScramVerifier verifier, boolean userKnown, SecureRandom random) {
        this.verifier = verifier;
        this.userKnown = userKnown;
        this.random = random;
    }

    /** Takes client-first-message, returns server-first-message. */
    byte[] clientFirst(byte[] data) {
        String msg = new String(data, StandardCharsets.UTF_8);
        int c1 = msg.indexOf(',');
        int c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
        if (c2 < 0) {
            throw malformed("client-first-message has no GS2 header");
        }
        String flag = msg.substring(0, c1);
        if (flag.startsWith("p=")) {
            throw VeilException.fatal(ErrorCode.INVALID_AUTHORIZATION,
                    "channel binding is not supported by Veil; connect with channel_binding=disable or prefer");
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            throw malformed("invalid channel binding flag");
        }
        gs2Header = msg.substring(0, c2 + 1);
        clientFirstBare = msg.substring(c2 + 1);
        String clientNonce = attribute(clientFirstBare, 'r');
        if (clientNonce == null || clientNonce.isEmpty()) {
            throw malformed("client-first-message has no nonce");
        }
        nonce = clientNonce + ScramFunctions.nonce(24, random);
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt()) + ",i=" + verifier.iterations();
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /** Takes client-final-message, returns server-final-message, or fails with 28P01. */
    byte[] clientFinal(byte[] data, String user) {
        if (serverFirst == null) {
            throw malformed("client-final-message before client-first-message");
        }
        String msg = new String(data, StandardCharsets.UTF_8);
        int p = msg.lastIndexOf(",p=");
        if (p < 0) {
            throw malformed("client-final-message has no proof");
        }
        String withoutProof = msg.substring(0, p);
        String binding = attribute(withoutProof, 'c');
        String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
        if (!expectedBinding.equals(binding)) {
            throw malformed("channel binding data does not match the GS2 header");
        }
        if (!nonce.equals(attribute(withoutProof, 'r'))) {
            throw malformed("nonce does not match");
        }
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(msg.substring(p + 3));
        } catch (IllegalArgumentException e) {
            throw malformed("proof is not valid base64");
        }
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        boolean ok = proof.length == 32
                && ScramFunctions.verifyClientProof(ScramVerifier.MECHANISM, proof, verifier.storedKey(), authMessage);
        if (!ok || !userKnown) {
            throw VeilException.fatal(ErrorCode.AUTH_FAILED, "password authentication failed for user \"" + user + "\"");
        }
        byte[] signature = ScramFunctions.serverSignature(ScramVerifier.MECHANISM, verifier.serverKey(), authMessage);
        return ("v=" + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.UTF_8);
    }

    private static String attribute(String message, char name) {
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        return null;
    }

    private static VeilException malformed(String what) {
        return VeilException.fatal(ErrorCode.PROTOCOL_VIOLATION, "malformed SCRAM message: " + what);
    }
}
