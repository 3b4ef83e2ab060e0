package dev.veil.identity.oidc;

import dev.veil.identity.AuthenticationFailure;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A JWT's header and claims read WITHOUT verification, only to choose the provider that must verify it and
 * to refuse forbidden algorithms before any key is looked up. Nothing read here is trusted.
 */
public record UnverifiedJwt(Map<String, Object> header, Map<String, Object> claims) {

    /** A password that has the shape of a compact JWS (three base64url parts, a JSON header with alg). */
    public static boolean looksLikeJwt(String secret) {
        if (secret.length() < 20 || !secret.startsWith("eyJ")) {
            return false;
        }
        int first = secret.indexOf('.');
        int second = first < 0 ? -1 : secret.indexOf('.', first + 1);
        return first > 0 && second > first && secret.indexOf('.', second + 1) < 0;
    }

    public static UnverifiedJwt read(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            // Five parts would be an encrypted token (JWE), which Veil does not accept.
            throw malformed(parts.length == 5 ? "encrypted tokens (JWE) are not accepted" : "not a signed JWT");
        }
        return new UnverifiedJwt(json(parts[0], "header"), json(parts[1], "claims"));
    }

    public String algorithm() {
        Object alg = header.get("alg");
        return alg instanceof String s ? s : null;
    }

    public String keyId() {
        Object kid = header.get("kid");
        return kid instanceof String s ? s : null;
    }

    public String issuer() {
        Object iss = claims.get("iss");
        return iss instanceof String s ? s : null;
    }

    private static Map<String, Object> json(String part, String what) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
            return JsonUtil.parseJson(text);
        } catch (IllegalArgumentException | JoseException | ClassCastException e) {
            throw malformed("token " + what + " is not base64url JSON");
        }
    }

    private static AuthenticationFailure malformed(String message) {
        return new AuthenticationFailure(AuthenticationFailure.Reason.MALFORMED_TOKEN, "token rejected: " + message);
    }
}
