package dev.veil.admin;

import dev.veil.identity.AuthenticationFailure;
import dev.veil.identity.Authenticator;
import dev.veil.identity.Identity;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Who calls the admin API: HTTP Basic with an account Veil holds (or a token as the password), or
 * {@code Authorization: Bearer <OIDC access token>} checked exactly as a database login is. Blocking (JAX-RS
 * methods run on worker threads).
 */
@ApplicationScoped
public class AdminCredentials {
    public static final String CHALLENGE = "Basic realm=\"veil\", charset=\"UTF-8\"";

    private final Authenticator authenticator;

    public AdminCredentials(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    public Optional<Identity> authenticate(String header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.of(authenticator.bearer(header.substring(7).trim()));
            }
            if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            return Optional.of(authenticator.check(decoded.substring(0, colon), decoded.substring(colon + 1)));
        } catch (AuthenticationFailure | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
