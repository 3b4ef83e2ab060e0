package dev.veil.cli.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The payload of a JWT read without verifying it: only to pick a default user name and show an expiry.
 * Veil verifies the token when it is presented; nothing here is trusted for access.
 */
public final class JwtClaims {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JwtClaims() {
    }

    /** The claims, or empty when the token is not a JWT (an opaque access token). */
    public static Optional<JsonNode> of(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }

    public static Optional<String> text(String token, String claim) {
        return of(token).map(c -> c.get(claim)).filter(n -> n.isTextual() && !n.asText().isBlank()).map(JsonNode::asText);
    }

    public static Optional<Instant> expiry(String token) {
        return of(token).map(c -> c.get("exp")).filter(JsonNode::canConvertToLong).map(n -> Instant.ofEpochSecond(n.asLong()));
    }
}
